"""What an installation holds before anyone enters anything: the dictionaries, the element types, the
banks, the milestone templates and the 考核 indicators. Each app's data migration loads its own;
load_all() loads whatever of them is missing, after a database has been emptied (manage.py flush,
the tests' flush after a transactional test) and before seed_demo builds on them."""

from assessment.defaults import load_indicators
from catalog.defaults import load_defaults
from elements.defaults import load_element_types
from financing.defaults import load_banks
from milestones.defaults import load_templates


def load_all() -> None:
    load_defaults()
    load_element_types()
    load_banks()
    load_templates()
    load_indicators()
