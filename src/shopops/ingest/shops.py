"""Which shop a file belongs to: --shop, a shop column, the file's title lines or name, or the only shop."""

from __future__ import annotations

from collections.abc import Mapping

from shopops.errors import ShopUnknownError, WorkspaceError
from shopops.ingest.readers import RawExport
from shopops.ingest.sources import SourceSpec


def resolve_shop(
    raw: RawExport,
    spec: SourceSpec,
    shops: Mapping[str, str],
    requested: str | None,
    has_shop_column: bool,
) -> str | None:
    """The one shop of every row, or None when the rows name their own shop (a shop column).

    A shop chosen by the user (``--shop`` or the upload form) must agree with the file: when the
    file's name or title lines name other shops only, the file is refused rather than stored
    under either. A shop column is checked row by row once it is parsed (see the importer).
    """
    if requested is not None:
        if requested not in shops:
            raise WorkspaceError(
                f"shop {requested!r} is not registered — add it with "
                f"`shopops shop add {requested} --platform tmall|taobao|jd|douyin`"
            )
        if has_shop_column:
            return None
        named = named_shops(raw, shops)
        if named and requested not in named and spec.shop_default is None:
            where = "title" if any(n in " ".join(raw.title_lines) for n in named) else "file name"
            raise ShopUnknownError(
                raw.path,
                f"is for shop {'、'.join(named)} (named in its {where}), but --shop says {requested}",
                hint=(
                    f"drop --shop to import it as {named[0]}"
                    if len(named) == 1
                    else "pass one of them as --shop"
                )
                + f", or rename the file if it really is {requested}'s",
            ).relabel(raw.display_name)
        return requested
    if has_shop_column:
        return None
    if spec.shop_default is not None:
        return spec.shop_default
    named = named_shops(raw, shops)
    if len(named) == 1:
        return named[0]
    if len(shops) == 1 and not named:
        return next(iter(shops))
    listed = ", ".join(shops) if shops else "none yet"
    if named:
        problem = f"names several shops ({', '.join(named)})"
    else:
        problem = "does not say which shop it belongs to"
    raise ShopUnknownError(
        raw.path,
        problem,
        hint=f"pass --shop NAME (registered: {listed}) or put the shop name in the file name",
    ).relabel(raw.display_name)


def named_shops(raw: RawExport, shops: Mapping[str, str]) -> list[str]:
    """The registered shops named in the file's name or title lines."""
    context = " ".join([raw.display_name, *raw.title_lines])
    named = [name for name in shops if name in context]
    # "某某旗舰店" also contains "某某": the longest name that appears is meant.
    return [n for n in named if not any(n != other and n in other for other in named)]


def check_platform(spec: SourceSpec, shop: str, platform: str, raw: RawExport) -> None:
    if shop != "*" and platform not in spec.platforms:
        raise ShopUnknownError(
            raw.path,
            f"is a {spec.label} export, which does not fit shop {shop!r} on platform {platform}",
            hint="pass the right --shop, or check the file",
        ).relabel(raw.display_name)
