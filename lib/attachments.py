"""Checking an uploaded attachment: size limit, allowed types, and content that matches its name."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The first bytes of each accepted kind of file: a renamed executable is refused whatever its name.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def validate_attachment(upload: UploadedFile) -> None:
    """Refuse a file over ATTACHMENT_MAX_BYTES, of a type not in ATTACHMENT_EXTENSIONS, or whose
    content is not what its extension says."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("附件“%(n)s”超过%(m)s上限。") % {"n": upload.name, "m": filesizeformat(limit)}
        )
    allowed = [item.lower() for item in settings.ATTACHMENT_EXTENSIONS]
    kind = extension(upload.name or "")
    if kind not in allowed:
        raise ValidationError(
            _("附件“%(n)s”的类型不受支持，只接受：%(a)s。") % {"n": upload.name, "a": "、".join(allowed)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    signatures = SIGNATURES.get(kind)
    if signatures is not None and not any(head.startswith(s) for s in signatures):
        raise ValidationError(_("附件“%(n)s”的内容与文件类型不符。") % {"n": upload.name})
    if kind == "txt" and b"\x00" in head:
        raise ValidationError(_("附件“%(n)s”的内容与文件类型不符。") % {"n": upload.name})
