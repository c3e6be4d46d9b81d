"""分包领导 and 首席服务员 (accounts), 责任人 and 项目单位联系人 (text) become people of the directory;
the responsible unit may be left open (附件2 names none)."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 1000


def to_people(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Person = apps.get_model("org", "Person")
    User = apps.get_model("org", "User")
    of_user: dict[int, int] = {}
    of_name: dict[tuple[str, int | None], int] = {}

    def for_user(user_id):
        if user_id not in of_user:
            person = Person.objects.filter(user_id=user_id).first()
            if person is None:
                user = User.objects.get(pk=user_id)
                person = Person.objects.create(
                    name=user.name or user.username, unit_id=user.unit_id, phone=user.phone, user_id=user_id
                )
            of_user[user_id] = person.pk
        return of_user[user_id]

    def for_name(name, phone, unit_id, post):
        name = " ".join((name or "").split())
        if not name:
            return None
        key = (name, unit_id)
        if key not in of_name:
            of_name[key] = Person.objects.create(name=name, phone=phone or "", unit_id=unit_id, post=post).pk
        return of_name[key]

    changed = []
    rows = Project.objects.order_by("pk").values(
        "pk",
        "old_leader_id",
        "old_chief_id",
        "old_responsible_person",
        "responsible_phone",
        "old_owner_contact",
        "owner_phone",
        "responsible_unit_id",
        "owner_unit_id",
    )
    for row in rows.iterator(chunk_size=BATCH):
        project = Project(pk=row["pk"])
        project.leader_in_charge_id = for_user(row["old_leader_id"]) if row["old_leader_id"] else None
        project.chief_officer_id = for_user(row["old_chief_id"]) if row["old_chief_id"] else None
        project.responsible_person_id = for_name(
            row["old_responsible_person"], row["responsible_phone"], row["responsible_unit_id"], "责任人"
        )
        project.owner_contact_id = for_name(
            row["old_owner_contact"], row["owner_phone"], row["owner_unit_id"], "联系人"
        )
        if any(
            (project.leader_in_charge_id, project.chief_officer_id, project.responsible_person_id, project.owner_contact_id)
        ):
            changed.append(project)
        if len(changed) >= BATCH:
            Project.objects.bulk_update(
                changed, ["leader_in_charge", "chief_officer", "responsible_person", "owner_contact"]
            )
            changed = []
    Project.objects.bulk_update(changed, ["leader_in_charge", "chief_officer", "responsible_person", "owner_contact"])


def person_fk(label, related_name):
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.SET_NULL,
        related_name=related_name,
        to="org.person",
        verbose_name=label,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_add_people"),
        ("projects", "0002_add_report_frequency"),
    ]

    operations = [
        migrations.RenameField("project", "leader_in_charge", "old_leader"),
        migrations.RenameField("project", "chief_officer", "old_chief"),
        migrations.RenameField("project", "responsible_person", "old_responsible_person"),
        migrations.RenameField("project", "owner_contact", "old_owner_contact"),
        migrations.AlterField(
            model_name="project",
            name="old_leader",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="org.user"
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="old_chief",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="org.user"
            ),
        ),
        migrations.AddField("project", "leader_in_charge", person_fk("分包领导", "led_projects")),
        migrations.AddField("project", "chief_officer", person_fk("首席服务员", "served_projects")),
        migrations.AddField("project", "responsible_person", person_fk("责任人", "responsible_for_projects")),
        migrations.AddField("project", "owner_contact", person_fk("项目单位联系人", "contact_for_projects")),
        migrations.RunPython(to_people, migrations.RunPython.noop),
        migrations.RemoveField("project", "old_leader"),
        migrations.RemoveField("project", "old_chief"),
        migrations.RemoveField("project", "old_responsible_person"),
        migrations.RemoveField("project", "old_owner_contact"),
        migrations.RemoveField("project", "responsible_phone"),
        migrations.RemoveField("project", "owner_phone"),
        migrations.AlterField(
            model_name="project",
            name="responsible_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="responsible_projects",
                to="org.unit",
                verbose_name="责任单位",
            ),
        ),
    ]
