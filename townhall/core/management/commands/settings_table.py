from typing import Any

from django.core.management.base import BaseCommand

from townhall.settings import OPTIONS


def settings_markdown() -> str:
    lines = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for opt in OPTIONS:
        default = f"`{opt.default}`" if opt.default else "(empty)"
        lines.append(f"| `{opt.env}` | {default} | {opt.doc} |")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print every setting (environment variable, default, meaning) as the README's table."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(settings_markdown())
