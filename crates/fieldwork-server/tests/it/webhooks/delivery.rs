//! Delivery: retries on schedule with a stable id, Retry-After, 410, auto-disable, isolation
//! of a slow endpoint, plan gating, resend, recover, test ping.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{
    Attempt, AttemptResult, ClaimRequest, ClaimedDelivery, CompletionRules, DeliveryOutcome,
    fanout_delivery_id,
};
use fieldwork_store::{OutboxEvent, Plan};
use fieldwork_test_support::{Answer, Receiver, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

use super::new_job;

const WAIT: Duration = Duration::from_secs(15);

/// Answers `first` to the first `n` requests, then 200.
fn fail_first(n: usize, first: Answer) -> impl FnMut(&fieldwork_test_support::Delivery) -> Answer {
    let seen = AtomicUsize::new(0);
    move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) < n {
            first.clone()
        } else {
            Answer::status(200)
        }
    }
}

/// Subscribes a new healthy receiver to `customer.created`, creates a customer and returns how
/// long its event took to arrive.
async fn a_new_customers_event_takes(app: &fieldwork_test_support::TestApp) -> Duration {
    let healthy = Receiver::start().await;
    app.subscribe(&healthy, &["customer.created"]).await;
    let started = Instant::now();
    let r = app.post("/customers", json!({"first_name": "Ada"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let got = healthy.wait_for(1, WAIT).await;
    let took = started.elapsed();
    assert_eq!(got[0].event(), "customer.created");
    assert_eq!(got[0].body["customer"]["first_name"], "Ada");
    took
}

backend_tests! {
    async fn a_500_is_retried_on_schedule_with_the_same_id() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        receiver.script(fail_first(1, Answer::status(500)));
        let endpoint = app.subscribe(&receiver, &["job.created"]).await;
        new_job(&app, json!({})).await;
        let got = receiver.wait_for(2, WAIT).await;
        assert_eq!(got[0].id, got[1].id, "webhook-id is stable across retries");
        assert_eq!(got[0].raw, got[1].raw);
        let gap = got[1].received_at - got[0].received_at;
        // Schedule 1s, no jitter in tests; the worker polls every 100 ms.
        assert!(gap >= Duration::from_millis(900) && gap < Duration::from_secs(4), "{gap:?}");
        assert!(got[1].verified_by(0));

        // The second attempt is recorded just after the receiver answered it.
        let deadline = Instant::now() + WAIT;
        let list = loop {
            let attempts = app.get(&format!("/webhooks/endpoints/{endpoint}/attempts")).await;
            assert_eq!(attempts.status, StatusCode::OK);
            let list = attempts.body["attempts"].as_array().unwrap().clone();
            if list.len() >= 2 || Instant::now() > deadline {
                break list;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(list.len(), 2, "{list:?}");
        // Newest first.
        assert_eq!(list[0]["response_status_code"], 200);
        assert_eq!(list[0]["next_retry_at"], serde_json::Value::Null);
        assert_eq!(list[1]["response_status_code"], 500);
        assert!(list[1]["next_retry_at"].is_string());
        assert!(list[1]["duration_ms"].as_i64().unwrap() >= 0);
        assert_eq!(list[1]["message_id"], got[0].id.as_str());
    }

    async fn retry_after_is_honoured() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        let mut wait = Answer::status(503);
        wait.headers.push(("Retry-After".into(), "3".into()));
        receiver.script(fail_first(1, wait));
        app.subscribe(&receiver, &["job.created"]).await;
        new_job(&app, json!({})).await;
        let got = receiver.wait_for(2, WAIT).await;
        let gap = got[1].received_at - got[0].received_at;
        assert!(gap >= Duration::from_millis(2900), "Retry-After: 3 beat the 1s schedule: {gap:?}");
    }

    async fn gone_disables_the_endpoint() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        receiver.script(|_| Answer::status(410));
        // Only the job's event, so that a job makes exactly one delivery (its customer's
        // `customer.created` would be a second, sent at the same time).
        let endpoint = app.subscribe(&receiver, &["job.created"]).await;
        new_job(&app, json!({})).await;
        receiver.wait_for(1, WAIT).await;
        let deadline = Instant::now() + WAIT;
        let e = loop {
            let e = app.get(&format!("/webhooks/endpoints/{endpoint}")).await.body;
            if e["enabled"] == false || Instant::now() > deadline {
                break e;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(e["enabled"], false, "{e:?}");
        assert!(e["disabled_reason"].as_str().unwrap().contains("410"), "{e:?}");
        new_job(&app, json!({})).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(receiver.deliveries().len(), 1, "a disabled endpoint gets nothing");
    }

    async fn an_endpoint_failing_too_long_is_disabled_and_says_why() {
        let app = spawn_app_with(|c| {
            c.webhook_retry_schedule = "1s,1s,1s,1s".into();
            c.webhook_disable_after_secs = 1;
        })
        .await;
        let receiver = Receiver::start().await;
        receiver.script(|_| Answer::status(500));
        let endpoint = app.subscribe(&receiver, &[]).await;
        new_job(&app, json!({})).await;
        // First failure starts the run at t0; the retry at t0+1s finds it over a second old.
        receiver.wait_for(2, WAIT).await;
        let deadline = Instant::now() + WAIT;
        let e = loop {
            let e = app.get(&format!("/webhooks/endpoints/{endpoint}")).await.body;
            if e["enabled"] == false || Instant::now() > deadline {
                break e;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(e["enabled"], false, "{e:?}");
        let reason = e["disabled_reason"].as_str().unwrap();
        assert!(reason.contains("failed for more than 1 s"), "{reason}");
        assert!(e["failing_since"].is_string());
        // Enabling again clears the reason and the failure run; the paused delivery resumes.
        receiver.script(|_| Answer::status(200));
        let r = app.put(&format!("/webhooks/endpoints/{endpoint}"), json!({"enabled": true})).await;
        assert_eq!(r.body["disabled_reason"], serde_json::Value::Null);
        assert_eq!(r.body["failing_since"], serde_json::Value::Null);
    }

    async fn a_slow_endpoint_does_not_delay_a_healthy_one() {
        let app = spawn_app_with(|c| {
            c.webhook_timeout_secs = 3;
            c.webhook_lease_secs = 30;
            c.webhook_endpoint_concurrency = 4;
        })
        .await;
        let slow = Receiver::start().await;
        slow.script(|_| Answer::ok_after(Duration::from_secs(2)));
        app.subscribe(&slow, &["job.created"]).await;
        let healthy = Receiver::start().await;
        app.subscribe(&healthy, &["job.created"]).await;

        // A burst fills the slow endpoint's 4 slots (2 s each) and queues the rest behind
        // them; then jobs keep coming for 2 s while it is saturated.
        let started = Instant::now();
        let mut created_at = Vec::new();
        for i in 0..30 {
            let job = new_job(&app, json!({})).await;
            created_at.push((job["id"].as_str().unwrap().to_owned(), Instant::now()));
            if i >= 20 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        let got = healthy.wait_for(created_at.len(), WAIT).await;
        let latencies: Vec<Duration> = created_at
            .iter()
            .map(|(id, at)| {
                let d = got.iter().find(|d| d.body["job"]["id"] == id.as_str()).unwrap();
                d.received_at.saturating_duration_since(*at)
            })
            .collect();
        let worst = latencies.iter().max().copied().unwrap();
        let elapsed = started.elapsed();
        let slow_done = slow.deliveries().len();
        println!("healthy worst latency {worst:?}; slow finished {slow_done}/30 after {elapsed:?}");
        // Blocked behind the slow endpoint it would wait seconds (20 queued, 4 at a time, 2 s each).
        assert!(worst < Duration::from_millis(1000), "healthy endpoint waited {worst:?}");
        // At most 4 at a time, 2 s each: the slow endpoint is still far behind.
        let bound = 4 * (elapsed.as_secs() as usize / 2 + 1);
        assert!(slow_done <= bound, "{slow_done} > {bound}: per-endpoint concurrency not bounded");
        assert!(slow_done < 30);
    }

    /// The worker claims several deliveries per free slot; one that waited for a slot so long
    /// that its lease could end during its request is not sent under that claim (another claim
    /// could send it at the same time): a fan-out delivery becomes a delivery row at once and
    /// is claimed afresh (a delivery row would wait for its lease to expire).
    async fn a_delivery_claimed_ahead_is_not_sent_once_its_lease_could_run_out() {
        // One slot; every request times out after 3 s; a lease of 10 s leaves 5 s to start.
        let app = spawn_app_with(|c| {
            c.webhook_timeout_secs = 3;
            c.webhook_lease_secs = 10;
            c.webhook_endpoint_concurrency = 1;
            c.webhook_retry_schedule = "1h".into();
        })
        .await;
        // Arrivals (webhook-id, time) as the requests come in: none is ever answered in time.
        let arrivals = Arc::new(parking_lot::Mutex::new(Vec::<(String, Instant)>::new()));
        let receiver = Receiver::start().await;
        let seen = arrivals.clone();
        receiver.script(move |d| {
            seen.lock().push((d.id.clone(), Instant::now()));
            Answer::ok_after(Duration::from_secs(4))
        });
        app.subscribe(&receiver, &["job.created"]).await;
        for _ in 0..3 {
            new_job(&app, json!({})).await;
        }
        // Sent at about 0 s and 3 s; the third's slot is free at 6 s, past its 5 s.
        let deadline = Instant::now() + Duration::from_secs(20);
        while arrivals.lock().len() < 3 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let got = arrivals.lock().clone();
        assert_eq!(got.len(), 3, "{got:?}");
        let ids: std::collections::HashSet<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids.len(), 3, "a delivery was sent twice: {got:?}");
        let second = got[1].1.duration_since(got[0].1);
        assert!(second < Duration::from_millis(4500), "the second waited {second:?} for the only slot");
        let third = got[2].1.duration_since(got[0].1);
        // A fan-out delivery: held as a row when the slot came free (6 s), claimed afresh and
        // sent then, not under its first claim's lease.
        assert!(
            (Duration::from_millis(5500)..Duration::from_millis(8500)).contains(&third),
            "the third was sent after {third:?}"
        );
    }

    /// A dead endpoint's queued events must not block the head of the queue for another
    /// endpoint's events: passed over while it is busy, and held as delivery rows once they
    /// have waited a second.
    async fn a_dead_endpoints_queue_does_not_block_another_endpoints_events() {
        let app = spawn_app_with(|c| {
            c.webhook_timeout_secs = 5;
            c.webhook_endpoint_concurrency = 1;
        })
        .await;
        let dead = Receiver::start().await;
        dead.script(|_| Answer::ok_after(Duration::from_secs(4)));
        app.subscribe(&dead, &["job.created"]).await;
        // One slot and four claimed ahead: the rest of these wait in the queue.
        for _ in 0..12 {
            new_job(&app, json!({})).await;
        }
        // (Subscribed only now: each job above came with a customer of its own.)
        let took = a_new_customers_event_takes(&app).await;
        assert!(took < Duration::from_secs(3), "delivered after {took:?}, behind the dead endpoint's queue");
    }

    /// An endpoint deleted while one of its deliveries is being sent: that attempt has no
    /// endpoint to be logged under any more, and must not keep the worker from recording the
    /// others' (it failed the whole batch, again at every retry).
    async fn an_endpoint_deleted_during_a_send_does_not_stop_the_recording() {
        let app = spawn_app().await;
        let slow = Receiver::start().await;
        let arrived = Arc::new(AtomicUsize::new(0));
        let a = arrived.clone();
        slow.script(move |_| {
            a.fetch_add(1, Ordering::SeqCst);
            Answer::ok_after(Duration::from_millis(1000))
        });
        let gone = app.subscribe(&slow, &["job.created"]).await;
        new_job(&app, json!({})).await;
        let deadline = Instant::now() + WAIT;
        while arrived.load(Ordering::SeqCst) == 0 {
            assert!(Instant::now() < deadline, "the first send never arrived");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let r = app.delete(&format!("/webhooks/endpoints/{gone}")).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        // The slow send ends and its outcome is recorded first.
        tokio::time::sleep(Duration::from_millis(1500)).await;

        let healthy = Receiver::start().await;
        let kept = app.subscribe(&healthy, &["job.created"]).await;
        new_job(&app, json!({})).await;
        healthy.wait_for(1, WAIT).await;
        let deadline = Instant::now() + WAIT;
        loop {
            let r = app.get(&format!("/webhooks/endpoints/{kept}/attempts")).await;
            if r.body["attempts"].as_array().is_some_and(|a| a.len() == 1) {
                break;
            }
            assert!(Instant::now() < deadline, "the healthy endpoint's attempt was never recorded");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn deliveries_pause_off_the_max_plan_and_resume_on_it() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        app.subscribe(&receiver, &[]).await;
        app.store.set_company_plan(&app.company_id, Plan::Basic).await.unwrap();
        let event = OutboxEvent::new("job.deleted", json!({
            "event": "job.deleted", "company_id": app.company_id,
            "job": {"id": "job_00000000000000000000000000000001", "deleted": true}
        }).to_string());
        app.store.emit(&app.company_id, vec![event]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(receiver.deliveries().is_empty(), "not attempted off the max plan");
        app.store.set_company_plan(&app.company_id, Plan::Max).await.unwrap();
        let got = receiver.wait_for(1, WAIT).await;
        assert_eq!(got[0].event(), "job.deleted");
        assert!(got[0].verified_by(0));
    }

    /// A company off the `max` plan keeps its queued events (they go out when it returns),
    /// but more of them than a claim looks through must not hide the other companies' newer
    /// events from the claims.
    async fn a_paused_companys_queue_does_not_hide_other_companies_events() {
        let app = spawn_app().await;
        let (paused, key) = app.new_company("Paused Co", Plan::Max).await;
        let parked = Receiver::start().await;
        let r = app
            .call_as(&key, reqwest::Method::POST, "/webhooks/endpoints",
                     Some(&json!({"url": parked.url, "events": []})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        app.store.set_company_plan(&paused, Plan::Basic).await.unwrap();
        let events = (0..600)
            .map(|i| {
                OutboxEvent::new("job.deleted", json!({
                    "event": "job.deleted", "company_id": paused,
                    "job": {"id": format!("job_{i:032}"), "deleted": true}
                }).to_string())
            })
            .collect();
        app.store.emit(&paused, events).await.unwrap();

        let took = a_new_customers_event_takes(&app).await;
        assert!(took < Duration::from_secs(3), "delivered after {took:?}, behind the paused queue");
        assert!(parked.deliveries().is_empty(), "nothing goes out off the max plan");
    }

    async fn resend_and_recover() {
        let app = spawn_app_with(|c| c.webhook_retry_schedule = "200ms".into()).await;
        let receiver = Receiver::start().await;
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let f = fail.clone();
        receiver.script(move |_| Answer::status(if f.load(Ordering::SeqCst) { 500 } else { 200 }));
        let endpoint = app.subscribe(&receiver, &["job.created"]).await;
        let since = fieldwork_store::time::format_ts(fieldwork_store::time::now_micros() - 1_000_000);
        new_job(&app, json!({})).await;
        new_job(&app, json!({})).await;
        // Two messages, two attempts each, then failed for good.
        receiver.wait_for(4, WAIT).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.deliveries().len(), 4);

        fail.store(false, Ordering::SeqCst);
        let r = app.post(&format!("/webhooks/endpoints/{endpoint}/recover"), json!({"since": since})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["queued"], 2);
        let got = receiver.wait_for(6, WAIT).await;
        let mut ids: Vec<_> = got.iter().map(|d| d.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 2, "recovered deliveries keep their webhook-id");

        // Resend one message: delivered again, same id.
        let r = app.post(&format!("/webhooks/messages/{}/resend", got[0].id), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["queued"], 1);
        let again = receiver.wait_for(7, WAIT).await;
        assert_eq!(again[6].id, got[0].id);
        assert_eq!(app.post("/webhooks/messages/msg_nope/resend", json!({})).await.status, StatusCode::NOT_FOUND);
        let r = app.post(&format!("/webhooks/endpoints/{endpoint}/recover"), json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    /// A resend while the message is being sent waits for that send: no two requests of one
    /// delivery at once, and the resend still goes out after it.
    async fn a_resend_during_a_send_follows_it() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        let arrived = Arc::new(AtomicUsize::new(0));
        let a = arrived.clone();
        let slow = Duration::from_millis(1500);
        receiver.script(move |_| {
            let delay = if a.fetch_add(1, Ordering::SeqCst) == 0 { slow } else { Duration::ZERO };
            Answer::ok_after(delay)
        });
        app.subscribe(&receiver, &["job.created"]).await;
        new_job(&app, json!({})).await;
        let deadline = Instant::now() + WAIT;
        while arrived.load(Ordering::SeqCst) == 0 {
            assert!(Instant::now() < deadline, "the first send never arrived");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let messages = app.get("/webhooks/messages").await;
        let message = messages.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["event"] == "job.created")
            .expect("the job.created message")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = app.post(&format!("/webhooks/messages/{message}/resend"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["queued"], 1);

        let got = receiver.wait_for(2, WAIT).await;
        assert_eq!(got[0].id, message);
        assert_eq!(got[1].id, message);
        let gap = got[1].received_at - got[0].received_at;
        assert!(gap >= slow, "the resend was sent {gap:?} after the first send began, beside it");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.deliveries().len(), 2, "sent once more, not twice");
    }

    /// The outcome of a claim that ran out, recorded after another claim took the delivery,
    /// adds its attempt but leaves the delivery to the newer claim (it must not make it due
    /// again while the newer claim is sending it).
    async fn a_late_outcome_leaves_the_delivery_to_the_newer_claim() {
        let app = spawn_app_with(|c| c.webhook_worker = false).await;
        let receiver = Receiver::start().await;
        let endpoint = app.subscribe(&receiver, &["job.created"]).await;
        new_job(&app, json!({})).await;
        let now = now_micros();
        let claim = |at: i64, lease: i64| {
            let store = app.store.clone();
            async move {
                store
                    .claim_deliveries(&ClaimRequest {
                        now: at,
                        lease_micros: lease,
                        limit: 10,
                        per_endpoint: 10,
                        available: Default::default(),
                    })
                    .await
                    .unwrap()
            }
        };
        let record = |d: &ClaimedDelivery, at: i64, outcome: DeliveryOutcome| {
            let result = AttemptResult {
                delivery_id: d.id.clone(),
                company_id: d.company_id.clone(),
                outcome,
                lease_until: d.lease_until,
                fanout: d.fanout,
                attempt: Attempt {
                    id: format!("att_{at}"),
                    endpoint_id: d.endpoint_id.clone(),
                    message_id: d.message_id.clone(),
                    created_at: at,
                    response_status_code: Some(500),
                    duration_ms: 1,
                    response_body: None,
                    error: None,
                    next_retry_at: None,
                },
            };
            let store = app.store.clone();
            async move {
                let rules = CompletionRules { disable_after_micros: i64::MAX };
                store.complete_deliveries(vec![result], rules).await.unwrap();
            }
        };
        let first = claim(now, 1_000).await;
        assert_eq!(first.len(), 1);
        // The first lease (1 ms) has ended: a second claim takes the delivery for a minute.
        let second = claim(now + 10_000, 60_000_000).await;
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].id, first[0].id);

        // The first claim's failure arrives late, asking for a retry right away.
        record(&first[0], now + 20_000, DeliveryOutcome::Retry { at: now + 25_000 }).await;
        assert!(claim(now + 30_000, 60_000_000).await.is_empty(), "still the second claim's");

        // The second claim's own failure is recorded as usual.
        record(&second[0], now + 40_000, DeliveryOutcome::Retry { at: now + 50_000 }).await;
        let third = claim(now + 60_000, 60_000_000).await;
        assert_eq!(third.len(), 1);
        assert_eq!(third[0].attempts, 1, "one attempt counted: the second claim's");
        let attempts = app.get(&format!("/webhooks/endpoints/{endpoint}/attempts")).await;
        assert_eq!(attempts.body["attempts"].as_array().unwrap().len(), 2, "both attempts listed");
    }

    /// A claim takes messages in order while the endpoints with room have room for them (a
    /// busy endpoint's deliveries come along, for the worker to hold), passes over messages
    /// whose endpoints are all busy, and stays within its limit unless the first message alone
    /// exceeds it; each delivery's id is made from its message and endpoint. A claim after one
    /// that found nothing still finds what came since.
    async fn a_claim_takes_messages_while_their_endpoints_have_room() {
        let app = spawn_app_with(|c| c.webhook_worker = false).await;
        let (first, second) = (Receiver::start().await, Receiver::start().await);
        let a = app.subscribe(&first, &["job.created"]).await;
        let b = app.subscribe(&second, &["job.created"]).await;
        let mut endpoints = vec![a.clone(), b.clone()];
        endpoints.sort();
        for _ in 0..4 {
            new_job(&app, json!({})).await;
        }
        let now = now_micros();
        let claim = |at: i64, limit: u32, available: &[(&str, u32)]| {
            let store = app.store.clone();
            let available = available.iter().map(|(id, n)| (id.to_string(), *n)).collect();
            async move {
                store
                    .claim_deliveries(&ClaimRequest {
                        now: at,
                        lease_micros: 60_000_000,
                        limit,
                        per_endpoint: 10,
                        available,
                    })
                    .await
                    .unwrap()
            }
        };
        let messages = |got: &[ClaimedDelivery]| {
            let mut ids: Vec<String> = got.iter().map(|d| d.message_id.clone()).collect();
            ids.dedup();
            ids
        };

        // Room for two messages at `a`; `b` is busy: two messages, each to both endpoints.
        let got = claim(now, 100, &[(&a, 2), (&b, 0)]).await;
        assert_eq!(messages(&got).len(), 2, "{got:?}");
        assert_eq!(got.len(), 4, "{got:?}");
        for pair in got.chunks(2) {
            let to: Vec<&str> = pair.iter().map(|d| d.endpoint_id.as_str()).collect();
            assert_eq!(to, endpoints, "one delivery per endpoint, in id order");
            for d in pair {
                assert!(d.fanout);
                assert_eq!(d.id, fanout_delivery_id(&d.message_id, &d.endpoint_id));
            }
        }

        // Both busy: the other two messages are passed over, not taken.
        assert!(claim(now + 1, 100, &[(&a, 0), (&b, 0)]).await.is_empty());

        // A limit of 3: the next message (2 deliveries) fits, the one after it does not.
        let got = claim(now + 2, 3, &[]).await;
        assert_eq!(got.len(), 2, "{got:?}");
        let rest = claim(now + 3, 100, &[]).await;
        assert_eq!(rest.len(), 2, "{rest:?}");
        assert_ne!(messages(&got), messages(&rest));
        assert!(claim(now + 4, 100, &[]).await.is_empty(), "all four are leased");

        // After a claim that found nothing (PostgreSQL then looks first), a new message is found.
        new_job(&app, json!({})).await;
        let later = claim(now_micros(), 100, &[]).await;
        assert_eq!(later.len(), 2, "{later:?}");
        assert_eq!(messages(&later).len(), 1, "{later:?}");
    }

    async fn the_test_ping_is_hcps() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        let endpoint = app.subscribe(&receiver, &["job.completed"]).await;
        let r = app.post(&format!("/webhooks/endpoints/{endpoint}/test"), json!({})).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        let got = receiver.wait_for(1, WAIT).await;
        assert_eq!(got[0].body, json!({"foo": "bar"}));
        assert!(got[0].verified_by(0));
        assert_eq!(got[0].id, r.body["message_id"].as_str().unwrap());
    }
}

/// Several processes on one PostgreSQL database: the API process has no worker, the worker
/// process polls only once a minute, and still delivers at once, woken by LISTEN/NOTIFY.
/// (SQLite runs one process per database, so this is PostgreSQL's alone.)
mod listen_notify_wakes_another_process {
    use super::*;

    #[tokio::test]
    async fn postgres() {
        fieldwork_test_support::Backend::Postgres
            .run(async {
                let app = spawn_app_with(|c| c.webhook_worker = false).await;
                let receiver = Receiver::start().await;
                app.subscribe(&receiver, &["job.created"]).await;
                let _worker = app
                    .spawn_peer(|c| c.webhook_poll_interval_ms = 60_000)
                    .await;
                // Let the peer's first claim (at start) pass and its listener connect.
                tokio::time::sleep(Duration::from_millis(1500)).await;
                let started = Instant::now();
                new_job(&app, json!({})).await;
                receiver.wait_for(1, Duration::from_secs(10)).await;
                let took = started.elapsed();
                assert!(
                    took < Duration::from_secs(3),
                    "woken by NOTIFY, not the poll: {took:?}"
                );
            })
            .await;
    }
}
