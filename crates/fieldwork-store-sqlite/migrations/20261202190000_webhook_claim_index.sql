-- A claim now moves a delivery's due time to its lease's end, so the per-endpoint index of
-- pending deliveries holds, in order, what is due and then what is leased. With the lease in
-- the index too, a claim reads due deliveries from the index alone (no table row per
-- candidate), and the reader-side check for due work hops over the same index, so the
-- global due-time index (one more index write per delivery state change) is no longer used.
drop index webhook_deliveries_endpoint_due;
drop index webhook_deliveries_due;
create index webhook_deliveries_endpoint_due
    on webhook_deliveries (endpoint_id, next_attempt_at, lease_until) where state = 'pending';
