from typing import Any

from django.contrib import messages
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from catalog.choices import ProcedureApplies
from catalog.forms import dictionary_form_class
from catalog.models import DICTIONARIES, DictionaryItem, ProcedureType
from lib.decorators import admin_required

Action = OperationLog.Action

DESCRIPTIONS = {
    "industries": _("项目所属行业，用于分行业统计和附件表的“行业领域”列。"),
    "categories": _("产业项目、基础设施项目、社会事业项目等，用于分类统计和占比。"),
    "procedure-types": _(
        "审批事项目录：联审联批手续的类型、审批部门、所属阶段、适用项目、办理时限（用于审批超时预警）及导出附件3时对应的列。"
    ),
    "funding-sources": _("中央预算内投资、专项债券、企业自筹等，用于记录计划和到位资金。"),
}


def dictionary_for(slug: str) -> type[DictionaryItem]:
    if slug not in DICTIONARIES:
        raise Http404
    return DICTIONARIES[slug]


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    dictionaries = [
        {
            "slug": slug,
            "name": model._meta.verbose_name,
            "description": DESCRIPTIONS.get(slug, ""),
            "count": model.objects.count(),
        }
        for slug, model in DICTIONARIES.items()
    ]
    return render(request, "catalog/index.html", {"dictionaries": dictionaries})


@admin_required
def item_list(request: HttpRequest, slug: str) -> HttpResponse:
    model = dictionary_for(slug)
    related = [field.name for field in model._meta.concrete_fields if field.is_relation]
    items = model.objects.with_usage().select_related(*related)
    ctx: dict[str, Any] = {
        "slug": slug,
        "model_name": model._meta.verbose_name,
        "items": items,
        "model": model,
    }
    if model is ProcedureType:
        ctx["catalogue"] = procedure_catalogue()
    return render(request, "catalog/item_list.html", ctx)


def procedure_catalogue() -> list[dict[str, object]]:
    """审批事项目录 in numbers: per investment nature, the active items, departments and joint approvals."""
    active = ProcedureType.objects.filter(is_active=True)
    return [
        {"label": label, **active.concerning(nature).catalogue_counts()}
        for nature, label in (
            (ProcedureApplies.GOVERNMENT, _("政府投资项目")),
            (ProcedureApplies.ENTERPRISE, _("企业投资项目")),
        )
    ]


@admin_required
def item_create(request: HttpRequest, slug: str) -> HttpResponse:
    model = dictionary_for(slug)
    form = dictionary_form_class(model)(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        item = form.save()
        record(request, Action.CREATE, item, changes=diff({}, snapshot(item)))
        messages.success(request, _t("已新增“%(name)s”。") % {"name": item.name})
        return redirect("catalog:item_list", slug=slug)
    ctx = {"slug": slug, "model_name": model._meta.verbose_name, "form": form, "item": None}
    return render(request, "catalog/item_form.html", ctx)


@admin_required
def item_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    model = dictionary_for(slug)
    item = get_object_or_404(model.objects.with_usage(), pk=pk)
    before = snapshot(item)
    form = dictionary_form_class(model)(request.POST if request.method == "POST" else None, instance=item)
    if form.is_bound and form.is_valid():
        item = form.save()
        record(request, Action.UPDATE, item, changes=diff(before, snapshot(item)))
        messages.success(request, _t("已保存“%(name)s”。") % {"name": item.name})
        return redirect("catalog:item_list", slug=slug)
    ctx = {"slug": slug, "model_name": model._meta.verbose_name, "form": form, "item": item}
    if slug in ALIASED:
        ctx.update(aliases=item.aliases.all(), alias_kind=ALIASED[slug], alias_target=item.pk)
    return render(request, "catalog/item_form.html", ctx)


# Dictionaries whose entries tables name in words, and the kind of their aliases (exchange.Alias).
ALIASED = {"industries": "industry", "categories": "category"}


@admin_required
@require_POST
def item_toggle_active(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """停用/启用: an item stays on the records that use it but is no longer offered."""
    item = get_object_or_404(dictionary_for(slug), pk=pk)
    before = snapshot(item)
    item.is_active = not item.is_active
    item.save(update_fields=["is_active"])
    record(request, Action.STATUS, item, changes=diff(before, snapshot(item)))
    if item.is_active:
        messages.success(request, _t("已启用“%(name)s”。") % {"name": item.name})
    else:
        messages.success(request, _t("已停用“%(name)s”，新登记的数据中不再可选。") % {"name": item.name})
    return redirect("catalog:item_list", slug=slug)


@admin_required
@require_POST
def item_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_object_or_404(dictionary_for(slug).objects.with_usage(), pk=pk)
    before = snapshot(item)
    try:
        item.delete()
    except (ProtectedError, RestrictedError):
        messages.error(
            request,
            _t("“%(name)s”已被 %(n)d 条记录使用，不能删除；不再使用时请停用。")
            % {"name": item.name, "n": item.usage},
        )
        return redirect("catalog:item_list", slug=slug)
    item.pk = pk
    record(request, Action.DELETE, item, changes=diff(before, dict.fromkeys(before, "")))
    messages.success(request, _t("已删除“%(name)s”。") % {"name": item.name})
    return redirect("catalog:item_list", slug=slug)
