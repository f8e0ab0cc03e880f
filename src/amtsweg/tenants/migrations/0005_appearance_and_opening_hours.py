from django.db import migrations, models

import amtsweg.tenants.colours
import amtsweg.tenants.logos


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_role_ozg_coordinator"),
    ]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="accent_colour",
            field=models.CharField(
                blank=True,
                help_text=(
                    "e.g. #004b87; it must have a contrast of at least 4.5:1 to white "
                    "(WCAG 2.1 AA)."
                ),
                max_length=7,
                validators=[amtsweg.tenants.colours.validate_accent_colour],
                verbose_name="accent colour",
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="logo",
            field=models.FileField(
                blank=True,
                help_text="PNG, JPEG or SVG of at most 200 KB; SVGs without scripts or links.",
                upload_to="municipality-logos/",
                validators=[amtsweg.tenants.logos.validate_logo],
                verbose_name="logo or coat of arms",
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="opening_hours",
            field=models.TextField(
                blank=True,
                help_text=(
                    "Shown in the footer of the municipality's pages, e.g. 'Mo–Fr 8–12 Uhr'."
                ),
                verbose_name="opening hours",
            ),
        ),
    ]
