-- 015: the reason classes of shopops.yaml (returns: reason_classes, product_classes), kept here by the
-- domain's settings hook each time the workspace opens, so that the 总表's 品退 (a provider: SQL
-- without settings) classifies as the returns commands do. Empty: the defaults.
CREATE TABLE IF NOT EXISTS return_reason_classes (  -- IF NOT EXISTS: 014 held it while issue 16 was built
    position   INTEGER NOT NULL,   -- the first class (lowest position) whose word a reason contains
    name       VARCHAR NOT NULL,
    words      VARCHAR[] NOT NULL,
    product    BOOLEAN NOT NULL    -- a 品退 class (product_classes)
);
