import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("comments", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(max_length=20)),
                ("file_name", models.CharField(max_length=500)),
                ("file_sha256", models.CharField(db_index=True, max_length=64)),
                ("started", models.DateTimeField(auto_now_add=True)),
                ("finished", models.DateTimeField(blank=True, null=True)),
                ("report", models.JSONField(blank=True, default=dict)),
                ("site", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="comments.site")),
            ],
        ),
        migrations.CreateModel(
            name="ImportedComment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(max_length=20)),
                ("source_id", models.CharField(max_length=200)),
                ("comment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="comments.comment")),
                ("site", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="comments.site")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("site", "source", "source_id"), name="imported_comment_once")],
            },
        ),
    ]
