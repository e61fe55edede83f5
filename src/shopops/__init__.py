"""ShopOps — 店铺运营驾驶舱: the e-commerce operator's daily workbench.

Python API::

    from shopops import Workspace
    with Workspace.open(Path("~/ops").expanduser()) as ws:
        frame = ws.master_table(date(2026, 11, 1), date(2026, 11, 24), grain="week")
"""

from shopops.errors import ShopOpsError, UserError
from shopops.workspace import Workspace

__version__ = "0.1.0"
__all__ = ["ShopOpsError", "UserError", "Workspace", "__version__"]
