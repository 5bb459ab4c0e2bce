//! Which estimate events a change of an estimate causes, with the estimate as it will be
//! stored (as `GET /estimates/{id}` shows it).

use crate::services::estimates::Estimate;
use fieldwork_store::docs::DocWrite;
use fieldwork_store::{OutboxEvent, Store};

use super::event;
use crate::error::ApiResult;
use crate::services::estimates::{self, EstimateDoc, StoredEstimate};

/// `estimate.created` for a new estimate.
pub fn estimate_created(company_id: &str, estimate: &Estimate) -> OutboxEvent {
    event("estimate.created", company_id, "estimate", estimate)
}

/// The `Emit` writes of an estimate change: `before` is the document as read, `after` the
/// estimate as it will be stored (new version and time).
pub async fn estimate_changed_writes(
    store: &dyn Store,
    company_id: &str,
    before: &EstimateDoc,
    after: &StoredEstimate,
) -> ApiResult<Vec<DocWrite>> {
    let names = estimate_changed(before, &after.doc);
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let estimate = estimates::present(store, company_id, after, false).await?;
    Ok(names
        .into_iter()
        .map(|name| DocWrite::Emit(event(name, company_id, "estimate", &estimate)))
        .collect())
}

/// The events between two states of an estimate. Options added, approvals or declines, copies
/// to a job and a new visit each have their own event (all carry the whole estimate, as
/// HCP's `estimate.option.*` payloads do); any other change is `estimate.updated`.
fn estimate_changed(before: &EstimateDoc, after: &EstimateDoc) -> Vec<&'static str> {
    let mut out = Vec::new();
    let old = |id: &str| before.options.iter().find(|o| o.id == id);
    if after.options.iter().any(|o| old(&o.id).is_none()) {
        out.push("estimate.option.created");
    }
    let approvals_changed = after
        .options
        .iter()
        .any(|o| old(&o.id).is_some_and(|b| b.approval_status != o.approval_status));
    if approvals_changed {
        out.push("estimate.option.approval_status_changed");
    }
    let copied = after
        .options
        .iter()
        .any(|o| o.job_id.is_some() && old(&o.id).is_some_and(|b| b.job_id.is_none()));
    if copied {
        out.push("estimate.copy_to_job");
    }
    if !after.appointments.is_empty() && before.appointments != after.appointments {
        out.push("estimate.scheduled");
    }
    if out.is_empty() && before != after {
        out.push("estimate.updated");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::estimates::OptionDoc;

    fn option(id: &str) -> OptionDoc {
        OptionDoc {
            id: id.into(),
            ..OptionDoc::default()
        }
    }

    #[test]
    fn specific_changes_name_their_event_and_others_are_updates() {
        let before = EstimateDoc {
            options: vec![option("a")],
            ..EstimateDoc::default()
        };
        let mut after = before.clone();
        after.options.push(option("b"));
        assert_eq!(
            estimate_changed(&before, &after),
            ["estimate.option.created"]
        );

        let mut after = before.clone();
        after.options[0].approval_status = Some("pro approved".into());
        after.options[0].job_id = Some("job_1".into());
        assert_eq!(
            estimate_changed(&before, &after),
            [
                "estimate.option.approval_status_changed",
                "estimate.copy_to_job"
            ]
        );

        let mut after = before.clone();
        after.options[0].name = "Tankless".into();
        assert_eq!(estimate_changed(&before, &after), ["estimate.updated"]);
        assert!(estimate_changed(&before, &before).is_empty());
    }
}
