-- 018: 直播场控, the real-time half of the live domain. A board-capture tool (千川/罗盘 直播大屏)
-- reads the room's cumulative counters every few minutes or seconds; each reading is one snapshot,
-- kept as it came (counters are turned into interval deltas when read, never stored as deltas).
-- Money is DECIMAL; a cell the board showed as "--" is NULL (unknown), never 0.

-- One snapshot of a room's 直播大屏: the counters since the session started, and the gauges
-- (在线人数 …) at the moment. room '' is the shop's own room (the usual 店播: one room per shop).
-- Unique per (shop, room, captured_at): a snapshot that comes again (a re-sent file, a retried POST)
-- changes nothing.
CREATE TABLE live_snapshot (
    shop                VARCHAR NOT NULL,
    room                VARCHAR NOT NULL DEFAULT '',
    captured_at         TIMESTAMP NOT NULL,      -- 采集时间 (the board's local time, Asia/Shanghai)
    anchor              VARCHAR,                 -- 主播, when the capture tool writes it
    gmv                 DECIMAL(18, 2),          -- 整体成交金额(元)            counter
    orders              BIGINT,                  -- 整体成交订单数              counter
    net_gmv             DECIMAL(18, 2),          -- 净成交金额(元)              counter (may fall: refunds)
    net_orders          BIGINT,                  -- 净成交订单数                counter (may fall)
    user_paid           DECIMAL(18, 2),          -- 用户实际支付金额(元)        counter
    spend               DECIMAL(18, 2),          -- 整体消耗(元) (千川)         counter
    exposures           BIGINT,                  -- 直播间整体曝光次数          counter
    viewers             BIGINT,                  -- 直播间整体观看人数          counter
    product_exposures   BIGINT,                  -- 直播间商品曝光次数          counter
    product_clicks      BIGINT,                  -- 直播间商品点击次数          counter
    new_fans            BIGINT,                  -- 直播间整体新增粉丝数        counter
    comments            BIGINT,                  -- 直播间评论次数              counter
    shares              BIGINT,                  -- 分享次数                    counter
    refund_1h_orders    BIGINT,                  -- 1小时内退款订单数           counter
    refund_1h_amount    DECIMAL(18, 2),          -- 1小时内退款金额(元)         counter
    room_refund_amount  DECIMAL(18, 2),          -- 直播间退款金额(元)          counter
    online_viewers      BIGINT,                  -- 实时在线人数                gauge
    avg_stay_seconds    DOUBLE,                  -- 直播间平均停留时长(整场)    gauge
    board_gpm           DECIMAL(18, 2),          -- GPM(元) as the board shows it (whole session) gauge
    board_view_to_order DOUBLE,                  -- 观看成交转化率 as the board shows it          gauge
    replay              BOOLEAN NOT NULL DEFAULT false,  -- written by `shopops live replay`, not a live room
    received_at         TIMESTAMP,               -- when ShopOps stored it (the latency, the stale check)
    batch_id            BIGINT,                  -- live_feed_batch: the feed (inbox/live/, the API) …
    import_id           BIGINT,                  -- … or imports: `shopops import` of a board file
    source_row          INTEGER                  -- the file's line (feed or import)
);

CREATE SEQUENCE live_batch_id_seq START 1;

-- Provenance of the feed: one row per file read (inbox/live/) or per request (the API), with what it
-- added and what it did not use — rows read + rows skipped = the data lines it had, always.
CREATE TABLE live_feed_batch (
    batch_id        BIGINT PRIMARY KEY,
    shop            VARCHAR NOT NULL,
    room            VARCHAR NOT NULL,
    origin          VARCHAR NOT NULL,            -- inbox/live/<file> | api:<token label> | replay:<file>
    received_at     TIMESTAMP NOT NULL,
    lines           INTEGER NOT NULL,            -- data lines in the batch
    added           INTEGER NOT NULL,            -- new snapshots
    repeated        INTEGER NOT NULL,            -- already stored with the same figures (a re-sent line)
    conflicting     INTEGER NOT NULL,            -- already stored with other figures: the stored one kept
    skipped         INTEGER NOT NULL,            -- not snapshots (blank, a 合计 line, a bad value): see notes
    notes           VARCHAR                      -- why lines were skipped or kept, one line each
);

-- 直播计划: a session's plan, one row per time slot (our template, `shopops template live-plan`).
-- A slot carries the GMV target and the 千川 budget of that time (so the budget's hourly weights
-- are the slots' budgets), or the product run then (the run order), or both.
CREATE TABLE live_plan (
    shop          VARCHAR NOT NULL,
    room          VARCHAR NOT NULL DEFAULT '',
    date          DATE NOT NULL,                 -- the session's day (the day it starts)
    starts_at     TIMESTAMP NOT NULL,
    ends_at       TIMESTAMP NOT NULL,
    target_gmv    DECIMAL(18, 2),                -- 目标成交金额 of the slot
    budget        DECIMAL(18, 2),                -- 千川预算 of the slot
    product_id    VARCHAR,                       -- 商品ID run in the slot
    product       VARCHAR,                       -- 商品名称
    import_id     BIGINT,
    source_row    INTEGER
);
