-- 009: customer service (客服): per-agent figures, attendance, hourly receptions, and our roster.
-- Exports are agent × period: a day, or the range the export was made for (a week, a month).
-- A range's person counts are de-duplicated over the range, so a range row is never summed with
-- the day rows inside it: the period is part of every key. Ratios a file states (询单->最终付款
-- 成功率, 回复率, 满意率 …) are kept as *_stated and only used where the counts are missing,
-- weighted by the right denominator; everything else is recomputed from counts.

CREATE TABLE service_agent_period (
    shop                       VARCHAR NOT NULL,
    agent                      VARCHAR NOT NULL,     -- the account as the export writes it (旺旺子账号, 客服昵称)
    period_start               DATE NOT NULL,
    period_end                 DATE NOT NULL,
    report                     VARCHAR NOT NULL DEFAULT '',  -- which report (售前明细, a custom report's name …)
    attribution                VARCHAR NOT NULL DEFAULT '',  -- 赤兔 下单优先判定 / 付款优先判定; '' = not stated
    pending                    BOOLEAN NOT NULL DEFAULT false, -- a cell said 延迟统计: not settled yet
    agent_group                VARCHAR,              -- 旺旺分组 / 技能组 as the file states it
    chats                      BIGINT,               -- 聊天人数 (原咨询人数)
    receptions                 BIGINT,               -- 接待人数
    sessions                   BIGINT,               -- 接待会话量 (咚咚 接待量, 飞鸽 人工已接待会话量)
    direct_receptions          BIGINT,               -- 直接接入人数
    transfers_in               BIGINT,               -- 转发接入人数 / 转入人数
    transfers_out              BIGINT,               -- 转出人数
    inquiries                  BIGINT,               -- 询单人数
    inquiry_ordered            BIGINT,               -- 询单->最终下单人数
    inquiry_paid               BIGINT,               -- 询单->最终付款人数 (settles in ~4 days)
    inquiry_next_day_paid      BIGINT,               -- 询单->次日付款人数 (settles in 1 day)
    inquiry_lost               BIGINT,               -- 付款流失人数 / 询单流失人数
    inquiry_conversion_stated  DOUBLE,               -- 询单->最终付款成功率 as stated
    sales                      DECIMAL(18, 2),       -- 销售额 (客服销售额, under the attribution option)
    units                      BIGINT,               -- 销售量
    sales_buyers               BIGINT,               -- 销售人数
    sales_orders               BIGINT,               -- 销售订单数 / 成交笔数
    avg_response_seconds       DOUBLE,               -- 平均响应(秒)
    first_response_seconds     DOUBLE,               -- 首次响应(秒)
    avg_session_seconds        DOUBLE,               -- 平均接待时长
    reply_rate_stated          DOUBLE,               -- 回复率 as stated
    unreplied                  BIGINT,               -- 未回复人数
    slow_responses             BIGINT,               -- 慢响应人数 / 慢接待人数
    long_sessions              BIGINT,               -- 长接待人数
    buyer_messages             BIGINT,               -- 买家消息数
    agent_messages             BIGINT,               -- 客服消息数
    very_satisfied             BIGINT,               -- 很满意
    satisfied                  BIGINT,               -- 满意
    neutral                    BIGINT,               -- 一般
    dissatisfied               BIGINT,               -- 不满意
    very_dissatisfied          BIGINT,               -- 很不满意
    satisfaction_rate_stated   DOUBLE,               -- 客户满意率 / 满意率 as stated
    dissatisfaction_rate_stated DOUBLE,              -- 不满意率 (飞鸽)
    response_rate_stated       DOUBLE,               -- 30s应答率 (咚咚) / 3分钟人工回复率 (飞鸽)
    refunds                    BIGINT,               -- 退款笔数
    refund_amount              DECIMAL(18, 2),       -- 完成退款金额
    work_days                  BIGINT,               -- 上班天数
    import_id                  BIGINT,
    source_row                 INTEGER
);

-- 遵时率: online / service / hang-up time per agent over the export's period (seconds).
CREATE TABLE service_attendance (
    shop             VARCHAR NOT NULL,
    agent            VARCHAR NOT NULL,
    person           VARCHAR,
    period_start     DATE NOT NULL,
    period_end       DATE NOT NULL,
    work_days        BIGINT,
    first_login      VARCHAR,                        -- 平均上线时间 (HH:MM:SS as written)
    last_online      VARCHAR,                        -- 平均最后在线时间
    online_seconds   DOUBLE,
    service_seconds  DOUBLE,
    hangup_seconds   DOUBLE,
    import_id        BIGINT,
    source_row       INTEGER
);

-- 分时接待: receptions per hour of a day, as the wide export has them (0 … 23, 全天).
CREATE TABLE service_hourly (
    shop VARCHAR NOT NULL,
    date DATE NOT NULL,
    h0 BIGINT, h1 BIGINT, h2 BIGINT, h3 BIGINT, h4 BIGINT, h5 BIGINT, h6 BIGINT, h7 BIGINT,
    h8 BIGINT, h9 BIGINT, h10 BIGINT, h11 BIGINT, h12 BIGINT, h13 BIGINT, h14 BIGINT, h15 BIGINT,
    h16 BIGINT, h17 BIGINT, h18 BIGINT, h19 BIGINT, h20 BIGINT, h21 BIGINT, h22 BIGINT, h23 BIGINT,
    total BIGINT,                                    -- 全天 as stated
    import_id BIGINT,
    source_row INTEGER
);

-- Our 客服名单: who an account belongs to (a renamed 旺旺 is two accounts of one person), their
-- group (售前/售后), and when they started and left, so that leavers and movers are kept apart.
CREATE TABLE service_roster (
    shop         VARCHAR NOT NULL,
    account      VARCHAR NOT NULL,
    person       VARCHAR NOT NULL,
    agent_group  VARCHAR,
    start_date   DATE,
    status       VARCHAR,                            -- 在职 / 离职 / 调岗
    end_date     DATE,
    import_id    BIGINT,
    source_row   INTEGER
);
