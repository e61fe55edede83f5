-- 006: 推广花费 per item and day, when a 生意参谋 商品效果 export carries it (issue "Trust on real
-- files: nothing silently lost"). Money DECIMAL(18,2); unknown (no such column in the file) is NULL.
-- Stored and listed only: the shop's 推广花费 still comes from the ad reports and 店铺整体
-- (see the catalog), so this never adds to ad_spend.

ALTER TABLE sycm_item_day ADD COLUMN ad_spend DECIMAL(18, 2);
