//! Unit tests of the in-memory limits: windows per key, company overrides, the concurrency cap.

use fieldwork_store::{CompanyLimits, Plan};

use super::*;

fn auth(key: &str, company: &str, limits: CompanyLimits) -> KeyAuth {
    KeyAuth {
        key_id: key.into(),
        key_name: key.into(),
        company_id: company.into(),
        plan: Plan::Max,
        limits,
    }
}

fn limits(per_window: u32, concurrency: u32) -> RequestLimits {
    RequestLimits::new(LimitSettings {
        enabled: true,
        per_window,
        window: Duration::from_secs(60),
        concurrency,
        scope: Scope::Process,
    })
}

#[test]
fn keys_have_separate_windows_and_company_limits_override_the_default() {
    let l = limits(2, 100);
    let a = auth("a", "co", CompanyLimits::default());
    let b = auth("b", "co", CompanyLimits::default());
    for _ in 0..2 {
        assert!(l.admit(&a).outcome.is_ok());
    }
    let refused = l.admit(&a);
    assert!(matches!(
        refused.outcome,
        // The first admit's one-second slot counts until 61 s have begun.
        Err(Refusal::RateLimited {
            retry_after_secs: 61
        })
    ));
    assert_eq!(refused.rate.unwrap().remaining, 0);
    assert!(l.admit(&b).outcome.is_ok());
    let own = auth(
        "c",
        "co2",
        CompanyLimits {
            per_minute: Some(1),
            concurrency: None,
        },
    );
    assert_eq!(l.admit(&own).rate.unwrap().limit, 1);
    assert!(l.admit(&own).outcome.is_err());
}

#[test]
fn the_concurrency_cap_counts_requests_in_progress_per_company() {
    let l = limits(1000, 2);
    let a = auth("a", "co", CompanyLimits::default());
    let first = l.admit(&a).outcome.ok().unwrap();
    let _second = l.admit(&a).outcome.ok().unwrap();
    let third = l.admit(&a);
    assert!(matches!(
        third.outcome,
        Err(Refusal::TooManyConcurrent { limit: 2 })
    ));
    // The refused request did not use up the key's window.
    assert_eq!(third.rate.unwrap().remaining, 998);
    // Another company is not affected.
    assert!(
        l.admit(&auth("b", "other", CompanyLimits::default()))
            .outcome
            .is_ok()
    );
    drop(first);
    assert!(l.admit(&a).outcome.is_ok());
}

#[test]
fn in_flight_counters_are_dropped_once_no_request_is_in_progress() {
    let l = limits(1000, 1);
    let a = auth("a", "co", CompanyLimits::default());
    let slot = l.admit(&a).outcome.ok().unwrap();
    assert!(l.admit(&a).outcome.is_err());
    assert_eq!(l.in_flight.companies(), 1);
    drop(slot);
    assert!(l.admit(&a).outcome.is_ok(), "the slot was given back");
    l.in_flight.forget_idle();
    assert_eq!(l.in_flight.companies(), 0);
}

#[test]
fn switched_off_admits_everything_without_state() {
    let l = RequestLimits::new(LimitSettings {
        enabled: false,
        per_window: 1,
        window: Duration::from_secs(60),
        concurrency: 1,
        scope: Scope::Process,
    });
    let a = auth("a", "co", CompanyLimits::default());
    let held: Vec<_> = (0..5).map(|_| l.admit(&a)).collect();
    assert!(held.iter().all(|x| x.outcome.is_ok() && x.rate.is_none()));
    assert_eq!(l.tracked_keys(), 0);
}
