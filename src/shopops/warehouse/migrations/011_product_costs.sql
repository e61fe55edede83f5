-- 011: one table for products and their costs (issue 15). The SKU 成本表 (sku_costs, 001) joins the
-- product master (product_master, 010, created by the stock domain; the core owns it from here on,
-- because profit needs the cost). A row is a version of a SKU: key (shop, sku, cost_from), where
-- cost_from (成本生效日期) is the first day its cost holds — 2000-01-01 when the file gives none.
-- shop '*' = every shop (the cost sheet's blank 店铺). A cost lookup takes the shop's own row, else
-- the '*' row, with the latest cost_from on or before the day; rows without cost_price are skipped.

CREATE TABLE IF NOT EXISTS product_master (
    shop          VARCHAR NOT NULL,
    sku           VARCHAR NOT NULL,
    style         VARCHAR,
    name          VARCHAR,
    color         VARCHAR,
    size          VARCHAR,
    category      VARCHAR,
    season        VARCHAR,
    year          BIGINT,
    created_at    DATE,
    list_price    DECIMAL(18, 2),
    cost_price    DECIMAL(18, 2),
    supplier      VARCHAR,
    import_id     BIGINT,
    source_row    INTEGER
);

ALTER TABLE product_master ADD COLUMN cost_from DATE DEFAULT DATE '2000-01-01';
UPDATE product_master SET cost_from = DATE '2000-01-01' WHERE cost_from IS NULL;
ALTER TABLE product_master ALTER COLUMN cost_from SET NOT NULL;
ALTER TABLE product_master ADD COLUMN item_id VARCHAR;   -- 商品ID / 宝贝ID (生意参谋 商品效果 matches by it)

-- Every cost-sheet row becomes a version, keeping its import and row, so that a re-import of that
-- sheet replaces it as before. Where a product list already gave the same version (same shop, SKU
-- and day), the two become one row as if both had been imported into one table: the later import
-- wins, and the other fills what it left empty.
UPDATE product_master p SET
    name = CASE WHEN c.import_id > p.import_id THEN coalesce(c.title, p.name) ELSE coalesce(p.name, c.title) END,
    cost_price = CASE WHEN c.import_id > p.import_id THEN c.unit_cost ELSE coalesce(p.cost_price, c.unit_cost) END,
    item_id = c.item_id,
    source_row = CASE WHEN c.import_id > p.import_id THEN c.source_row ELSE p.source_row END,
    import_id = greatest(c.import_id, p.import_id)
FROM sku_costs c
WHERE p.shop = c.shop AND p.sku = c.sku_code AND p.cost_from = c.valid_from;

INSERT INTO product_master (shop, sku, name, cost_price, cost_from, item_id, import_id, source_row)
SELECT c.shop, c.sku_code, c.title, c.unit_cost, c.valid_from, c.item_id, c.import_id, c.source_row
FROM sku_costs c
WHERE NOT EXISTS (
    SELECT 1 FROM product_master p WHERE p.shop = c.shop AND p.sku = c.sku_code AND p.cost_from = c.valid_from
);

-- The cost sheets' imports now point at the table that holds their rows.
UPDATE imports SET target_table = 'product_master' WHERE target_table = 'sku_costs';

DROP TABLE sku_costs;
