from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_roles_verifier_statistician")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="community",
            field=models.CharField(
                blank=True, db_default="", db_index=True, default="", max_length=40, verbose_name="community"
            ),
        ),
    ]
