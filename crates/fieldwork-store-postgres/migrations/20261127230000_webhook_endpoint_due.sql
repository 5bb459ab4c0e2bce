-- The pending deliveries of one endpoint in the order they fall due: a claim takes each
-- endpoint's share from here, instead of walking every due delivery in time order (which
-- made each claim read the whole backlog when the endpoints' slots were full).
create index webhook_deliveries_endpoint_due
    on webhook_deliveries (endpoint_id, next_attempt_at, seq) where state = 'pending';
