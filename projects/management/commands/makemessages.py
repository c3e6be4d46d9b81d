"""makemessages that also collects the strings marked with `_t`.

Models, forms and services translate their messages at the time they are raised with
`from django.utils.translation import gettext as _t` (beside the module's lazy `_`); xgettext has
to be told that `_t` marks a string too, or those messages never reach the catalog.
"""

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=_t"]
