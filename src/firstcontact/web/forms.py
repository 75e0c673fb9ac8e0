"""Reading an HTML form into the plain mapping the rooms' parse functions take."""

from __future__ import annotations

from fastapi import Request


async def form_fields(request: Request, *, lists: frozenset[str] = frozenset()
                      ) -> dict[str, str | list[str]]:
    """Every field as a string; the names in `lists` (checkbox groups) as lists of strings."""
    form = await request.form()
    fields: dict[str, str | list[str]] = {}
    for name in set(form.keys()):
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        fields[name] = values if name in lists else (values[0] if values else "")
    for name in lists:
        fields.setdefault(name, [])
    return fields
