//! A story through the store methods of companies, users, keys, employees, reference data and
//! vendors: results, ordering, paging, errors and tenant scoping (customers: `customers.rs`).

use fieldwork_store::{ListParams, NewCompany, Plan, Sort, SortDirection, SortField, Store};
use fieldwork_types::{CustomerIn, EmployeeIn, Permissions, VendorAddress, VendorIn, VendorPatch};

use crate::{kind, temp_database};

/// List parameters.
pub fn page(page: u32, page_size: u32, field: SortField, direction: SortDirection) -> ListParams {
    ListParams {
        page,
        page_size,
        sort: Sort { field, direction },
    }
}

/// A new company on the `max` plan.
pub fn company(name: &str) -> NewCompany {
    NewCompany {
        name: name.into(),
        plan: Plan::Max,
        time_zone: "America/Denver".into(),
    }
}

/// A customer with just names.
pub fn customer(first: Option<&str>, last: &str) -> CustomerIn {
    CustomerIn {
        first_name: first.map(Into::into),
        last_name: Some(last.into()),
        ..CustomerIn::default()
    }
}

#[tokio::test]
async fn companies_users_and_keys() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    assert_eq!(store.backend(), "postgres");

    let a = store.create_company(company("Acme")).await.unwrap();
    let b = store.create_company(company("Beta")).await.unwrap();
    assert_eq!(a.plan, Plan::Max);
    assert_eq!(a.application_state, "enabled");
    assert_eq!(a.profile.id, a.id);
    assert_eq!(a.profile.time_zone, "America/Denver");
    assert_eq!(a.profile.default_arrival_window.as_deref(), Some("0"));
    assert_eq!(a.availability.daily_availabilities.data.len(), 5);
    let got = store.get_company(&a.id).await.unwrap();
    assert_eq!((got.name, got.created_at), ("Acme".into(), a.created_at));
    assert_eq!(kind(store.get_company("nope").await), "NotFound(company)");
    let found = store.find_company_by_name("Beta").await.unwrap().unwrap();
    assert_eq!(found.id, b.id);
    assert!(store.find_company_by_name("beta").await.unwrap().is_none());
    let all: Vec<String> = store
        .list_companies()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(all, [a.id.clone(), b.id.clone()]);

    let basic = store.set_company_plan(&a.id, Plan::Basic).await.unwrap();
    assert_eq!(basic.plan, Plan::Basic);
    let disabled = store
        .set_application_state(&a.id, "disabled")
        .await
        .unwrap();
    assert_eq!(disabled.application_state, "disabled");
    let mut profile = a.profile.clone();
    profile.support_email = Some("help@acme.test".into());
    profile.name = "ignored: the row's name wins".into();
    store.set_company_profile(&a.id, profile).await.unwrap();
    let got = store.get_company(&a.id).await.unwrap();
    assert_eq!(got.profile.support_email.as_deref(), Some("help@acme.test"));
    assert_eq!(got.profile.name, "Acme");
    let mut availability = a.availability.clone();
    availability.availability_buffer_in_days = 3;
    let set = store
        .set_schedule_availability(&a.id, availability.clone())
        .await
        .unwrap();
    assert_eq!(set, availability);
    assert_eq!(
        store.get_company(&a.id).await.unwrap().availability,
        availability
    );
    assert_eq!(
        kind(store.set_company_plan("nope", Plan::Max).await),
        "NotFound(company)"
    );

    // Users.
    let u = store
        .create_user(&a.id, "ann@acme.test", "Ann", true)
        .await
        .unwrap();
    assert!(u.id.starts_with("usr_") && u.is_admin);
    store
        .create_user(&a.id, "bob@acme.test", "Bob", false)
        .await
        .unwrap();
    assert_eq!(
        kind(
            store
                .create_user(&a.id, "ann@acme.test", "Ann 2", false)
                .await
        ),
        "Conflict"
    );
    store
        .create_user(&b.id, "ann@acme.test", "Ann", false)
        .await
        .unwrap();
    let names: Vec<String> = store
        .list_users(&a.id)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["Ann", "Bob"]);
    assert_eq!(
        kind(store.create_user("nope", "x@y", "X", false).await),
        "Conflict"
    );

    // API keys.
    let k1 = store
        .create_api_key(&a.id, "ci", "hash-1", "fw_1")
        .await
        .unwrap();
    let k2 = store
        .create_api_key(&a.id, "zap", "hash-2", "fw_2")
        .await
        .unwrap();
    assert!(k1.id.starts_with("key_") && k1.last_used_at.is_none());
    assert_eq!(
        kind(store.create_api_key(&b.id, "dup", "hash-1", "fw_1").await),
        "Conflict"
    );
    assert_eq!(
        kind(store.create_api_key("nope", "x", "hash-3", "fw_3").await),
        "NotFound(company)"
    );
    let keys = store.list_api_keys(&a.id).await.unwrap();
    assert_eq!(
        keys.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["ci", "zap"]
    );
    assert!(store.list_api_keys(&b.id).await.unwrap().is_empty());
    let auth = store.authenticate("hash-1").await.unwrap().unwrap();
    assert_eq!(
        (
            auth.key_id.as_str(),
            auth.key_name.as_str(),
            auth.company_id.as_str()
        ),
        (k1.id.as_str(), "ci", a.id.as_str())
    );
    assert_eq!(auth.plan, Plan::Basic);
    assert!(store.authenticate("hash-x").await.unwrap().is_none());
    store
        .record_key_usage(vec![
            (k1.id.clone(), 100),
            (k1.id.clone(), 300),
            (k2.id.clone(), 7),
            (k1.id.clone(), 200),
            ("key_unknown".into(), 1),
        ])
        .await
        .unwrap();
    store
        .record_key_usage(vec![(k1.id.clone(), 50)])
        .await
        .unwrap();
    store.record_key_usage(vec![]).await.unwrap();
    let keys = store.list_api_keys(&a.id).await.unwrap();
    assert_eq!(keys[0].last_used_at, Some(300));
    assert_eq!(keys[1].last_used_at, Some(7));
    let revoked = store.revoke_api_key(&k1.id).await.unwrap();
    let at = revoked.revoked_at.expect("revoked");
    assert_eq!(
        store.revoke_api_key(&k1.id).await.unwrap().revoked_at,
        Some(at)
    );
    assert!(store.authenticate("hash-1").await.unwrap().is_none());
    assert!(store.authenticate("hash-2").await.unwrap().is_some());
    assert_eq!(
        kind(store.revoke_api_key("key_nope").await),
        "NotFound(api key)"
    );
}

#[tokio::test]
async fn employees() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let a = store.create_company(company("Acme")).await.unwrap();
    let b = store.create_company(company("Beta")).await.unwrap();
    let mut made = Vec::new();
    for first in [Some("bea"), None, Some("Al"), Some("Bea")] {
        let e = store
            .create_employee(
                &a.id,
                EmployeeIn {
                    first_name: first.map(Into::into),
                    last_name: Some("Tech".into()),
                    email: None,
                    mobile_number: Some("5551234567".into()),
                    color_hex: Some("ff0000".into()),
                    role: Some("field tech".into()),
                    tags: vec!["north".into()],
                    permissions: Permissions::field_tech(),
                },
                &[],
            )
            .await
            .unwrap();
        made.push(e);
    }
    let e = &made[0];
    assert!(e.id.starts_with("pro_"));
    assert_eq!(e.company_name, "Acme");
    assert_eq!(e.company_id, a.id);
    assert_eq!(e.tags, ["north"]);
    assert_eq!(e.permissions, Permissions::field_tech());
    assert_eq!(e.avatar_url, None);
    store
        .create_employee(&b.id, EmployeeIn::default(), &[])
        .await
        .unwrap();

    let all = store
        .list_employees(&a.id, &ListParams::default())
        .await
        .unwrap();
    assert_eq!(all.total, 4);
    let ids: Vec<&str> = all.items.iter().map(|e| e.id.as_str()).collect();
    let want: Vec<&str> = made.iter().rev().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, want, "newest first");
    assert_eq!(all.items, made.iter().rev().cloned().collect::<Vec<_>>());

    // Byte-wise text order, nulls first ascending (as SQLite).
    let names = |p: fieldwork_store::Page<fieldwork_types::Employee>| {
        p.items
            .into_iter()
            .map(|e| e.first_name)
            .collect::<Vec<_>>()
    };
    let asc = store
        .list_employees(
            &a.id,
            &page(1, 10, SortField::FirstName, SortDirection::Asc),
        )
        .await
        .unwrap();
    assert_eq!(
        names(asc),
        [
            None,
            Some("Al".into()),
            Some("Bea".into()),
            Some("bea".into())
        ]
    );
    let desc = store
        .list_employees(
            &a.id,
            &page(1, 3, SortField::FirstName, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!(desc.total, 4);
    assert_eq!(
        names(desc),
        [Some("bea".into()), Some("Bea".into()), Some("Al".into())]
    );
    let second = store
        .list_employees(
            &a.id,
            &page(2, 3, SortField::FirstName, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!(names(second), [None]);
    let beyond = store
        .list_employees(
            &a.id,
            &page(9, 3, SortField::CreatedAt, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!((beyond.items.len(), beyond.total), (0, 4));
}

#[tokio::test]
async fn tags_lead_sources_and_job_types() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let a = store.create_company(company("Acme")).await.unwrap();
    let b = store.create_company(company("Beta")).await.unwrap();

    let t1 = store.create_tag(&a.id, "apple").await.unwrap();
    let t2 = store.create_tag(&a.id, "banana").await.unwrap();
    assert!(t1.id.starts_with("tag_"));
    assert_eq!(kind(store.create_tag(&a.id, "apple").await), "Conflict");
    store.create_tag(&b.id, "apple").await.unwrap();
    let renamed = store.update_tag(&a.id, &t1.id, "Cherry").await.unwrap();
    assert_eq!(
        (renamed.id.as_str(), renamed.name.as_str()),
        (t1.id.as_str(), "Cherry")
    );
    assert_eq!(
        kind(store.update_tag(&a.id, &t1.id, "banana").await),
        "Conflict"
    );
    assert_eq!(
        kind(store.update_tag(&b.id, &t1.id, "x").await),
        "NotFound(tag)"
    );
    assert_eq!(store.get_tag(&a.id, &t1.id).await.unwrap(), renamed);
    assert_eq!(kind(store.get_tag(&b.id, &t1.id).await), "NotFound(tag)");
    assert_eq!(
        kind(store.get_tag(&a.id, "tag_nope").await),
        "NotFound(tag)"
    );
    let by_name = store
        .list_tags(&a.id, &page(1, 10, SortField::Name, SortDirection::Asc))
        .await
        .unwrap();
    assert_eq!(
        by_name.items,
        [renamed.clone(), t2.clone()],
        "byte-wise: C < b"
    );
    let newest = store
        .list_tags(
            &a.id,
            &page(1, 1, SortField::CreatedAt, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!((newest.items, newest.total), (vec![t2], 2));

    let web = store.create_lead_source(&a.id, "Website").await.unwrap();
    let builtin = store
        .create_builtin_lead_source(&a.id, "Referral")
        .await
        .unwrap();
    assert!(web.editable && !builtin.editable);
    assert!(web.id.starts_with("lsr_"));
    assert_eq!(store.get_lead_source(&a.id, &web.id).await.unwrap(), web);
    assert_eq!(
        kind(store.get_lead_source(&b.id, &web.id).await),
        "NotFound(lead source)"
    );
    assert_eq!(
        kind(store.create_lead_source(&a.id, "Website").await),
        "Conflict"
    );
    let web2 = store
        .update_lead_source(&a.id, &web.id, "Web site")
        .await
        .unwrap();
    assert_eq!(web2.name, "Web site");
    assert_eq!(
        kind(store.update_lead_source(&b.id, &web.id, "x").await),
        "NotFound(lead source)"
    );
    let filtered = store
        .list_lead_sources(&a.id, Some(" SITE "), &ListParams::default())
        .await
        .unwrap();
    assert_eq!((filtered.items, filtered.total), (vec![web2.clone()], 1));
    let unfiltered = store
        .list_lead_sources(&a.id, Some(" %_ "), &ListParams::default())
        .await
        .unwrap();
    assert_eq!(unfiltered.items, [builtin, web2]);

    let jt = store.create_job_type(&a.id, "Repair").await.unwrap();
    assert!(jt.id.starts_with("jbt_"));
    store.create_job_type(&a.id, "Install").await.unwrap();
    assert_eq!(
        kind(store.create_job_type(&a.id, "Repair").await),
        "Conflict"
    );
    let jt2 = store
        .update_job_type(&a.id, &jt.id, "Repairs")
        .await
        .unwrap();
    assert_eq!(
        kind(store.update_job_type(&b.id, &jt.id, "x").await),
        "NotFound(job type)"
    );
    let found = store
        .list_job_types(&a.id, Some("pair"), &ListParams::default())
        .await
        .unwrap();
    assert_eq!((found.items, found.total), (vec![jt2], 1));
    assert_eq!(
        store
            .list_job_types(&b.id, None, &ListParams::default())
            .await
            .unwrap()
            .total,
        0
    );
}

#[tokio::test]
async fn vendors() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let a = store.create_company(company("Acme")).await.unwrap();
    let b = store.create_company(company("Beta")).await.unwrap();
    let address = VendorAddress {
        street: Some("1 Supply Rd".into()),
        city: Some("Boise".into()),
        ..VendorAddress::default()
    };
    let pipes = store
        .create_vendor(
            &a.id,
            VendorIn {
                name: Some("Pipes Inc".into()),
                contact_name: Some("Pat".into()),
                email: Some("orders@pipes.test".into()),
                address: Some(address.clone()),
                tags: Some(vec!["plumbing".into()]),
                ..VendorIn::default()
            },
        )
        .await
        .unwrap();
    assert!(pipes.id.starts_with("ven_"));
    assert_eq!(pipes.address, Some(address));
    assert_eq!(pipes.tags, ["plumbing"]);
    let wires = store
        .create_vendor(
            &a.id,
            VendorIn {
                name: Some("Wires".into()),
                ..VendorIn::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(wires.tags, Vec::<String>::new());
    assert_eq!(store.get_vendor(&a.id, &pipes.id).await.unwrap(), pipes);
    assert_eq!(
        kind(store.get_vendor(&b.id, &pipes.id).await),
        "NotFound(vendor)"
    );

    for (q, want) in [
        ("pat", vec![pipes.clone()]),
        ("ORDERS@", vec![pipes.clone()]),
        ("wire", vec![wires.clone()]),
        ("i", vec![wires.clone(), pipes.clone()]),
    ] {
        let got = store
            .list_vendors(&a.id, Some(q), &ListParams::default())
            .await
            .unwrap();
        assert_eq!(
            (got.items, got.total),
            (want.clone(), want.len() as u64),
            "{q}"
        );
    }
    let by_name = store
        .list_vendors(
            &a.id,
            None,
            &page(1, 10, SortField::Name, SortDirection::Asc),
        )
        .await
        .unwrap();
    assert_eq!(by_name.items, [pipes.clone(), wires.clone()]);

    let updated = store
        .update_vendor(
            &a.id,
            &pipes.id,
            VendorPatch {
                name: Some("Pipes & Co".into()),
                contact_name: Some(None),
                address: Some(None),
                tags: Some(vec![]),
                ..VendorPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "Pipes & Co");
    assert_eq!(updated.contact_name, None);
    assert_eq!(updated.email, pipes.email);
    assert_eq!(updated.address, None);
    assert_eq!(updated.created_at, pipes.created_at);
    assert_eq!(store.get_vendor(&a.id, &pipes.id).await.unwrap(), updated);
    assert_eq!(
        kind(
            store
                .update_vendor(&b.id, &pipes.id, VendorPatch::default())
                .await
        ),
        "NotFound(vendor)"
    );
    assert_eq!(
        kind(store.delete_vendor(&b.id, &pipes.id).await),
        "NotFound(vendor)"
    );
    store.delete_vendor(&a.id, &pipes.id).await.unwrap();
    assert_eq!(
        kind(store.get_vendor(&a.id, &pipes.id).await),
        "NotFound(vendor)"
    );
    assert_eq!(
        kind(store.delete_vendor(&a.id, &pipes.id).await),
        "NotFound(vendor)"
    );
    let left = store
        .list_vendors(&a.id, None, &ListParams::default())
        .await
        .unwrap();
    assert_eq!((left.items, left.total), (vec![wires], 1));
}
