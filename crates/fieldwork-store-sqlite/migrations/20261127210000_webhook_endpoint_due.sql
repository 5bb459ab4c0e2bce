-- The pending deliveries of one endpoint in the order they fall due: a claim takes each
-- endpoint's share from here, instead of ranking every due delivery of every endpoint (which
-- made each claim cost as much as the whole backlog).
create index webhook_deliveries_endpoint_due
    on webhook_deliveries (endpoint_id, next_attempt_at) where state = 'pending';
