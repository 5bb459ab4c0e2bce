-- No statement reads pending deliveries by due time alone any more: claims go endpoint by
-- endpoint through `webhook_deliveries_endpoint_due`. The global index was one more write per
-- delivery state change, and it gave the planner a trap: the claim's cached generic plan, made
-- while the table was small, could take each endpoint's due deliveries from this index with
-- the endpoint as a filter, reading every due delivery once per endpoint (4 s claims with 100
-- endpoints and 140,000 queued deliveries; BENCHMARKS.md).
drop index if exists webhook_deliveries_due;
