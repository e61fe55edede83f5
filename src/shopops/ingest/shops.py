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
    """The one shop of every row, or None when the rows name their own shop (a shop column)."""
    if requested is not None:
        if requested not in shops:
            raise WorkspaceError(
                f"shop {requested!r} is not registered — add it with "
                f"`shopops shop add {requested} --platform tmall|taobao|jd|douyin`"
            )
        return requested
    if has_shop_column:
        return None
    if spec.shop_default is not None:
        return spec.shop_default
    context = " ".join([raw.display_name, *raw.title_lines])
    named = [name for name in shops if name in context]
    # "某某旗舰店" also contains "某某": the longest name that appears is meant.
    named = [n for n in named if not any(n != other and n in other for other in named)]
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


def check_platform(spec: SourceSpec, shop: str, platform: str, raw: RawExport) -> None:
    if shop != "*" and platform not in spec.platforms:
        raise ShopUnknownError(
            raw.path,
            f"is a {spec.label} export, which does not fit shop {shop!r} on platform {platform}",
            hint="pass the right --shop, or check the file",
        ).relabel(raw.display_name)
