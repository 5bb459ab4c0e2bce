//! `fieldwork listen --forward-to URL`: follows a server's live event stream
//! (`GET /webhooks/stream`) and POSTs each event to a local URL — webhooks on a laptop without
//! exposing it to the internet.

use std::time::Duration;

use anyhow::Context;

/// Flags of `fieldwork listen`.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Where to POST each event, e.g. http://localhost:3000/hook.
    #[arg(long, value_name = "URL")]
    pub forward_to: String,
    /// The Fieldwork server.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// An API key of the company whose events to follow.
    #[arg(long, env = "FIELDWORK_API_KEY", hide_env_values = true)]
    pub key: String,
}

/// One Server-Sent Event.
#[derive(Debug, Default, PartialEq, Eq)]
struct SseEvent {
    id: Option<String>,
    event: Option<String>,
    data: String,
}

/// Parses one SSE block (the lines between blank lines); comments alone give `None`.
fn parse_block(block: &str) -> Option<SseEvent> {
    let mut ev = SseEvent::default();
    let mut has_data = false;
    for line in block.lines() {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "id" => ev.id = Some(value.to_owned()),
            "event" => ev.event = Some(value.to_owned()),
            "data" => {
                if has_data {
                    ev.data.push('\n');
                }
                ev.data.push_str(value);
                has_data = true;
            }
            _ => {}
        }
    }
    has_data.then_some(ev)
}

/// Follows the stream until interrupted, reconnecting (and resuming) when it drops.
pub async fn run(args: ListenArgs) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let stream_url = format!("{}/webhooks/stream", args.server.trim_end_matches('/'));
    let mut last_id: Option<String> = None;
    eprintln!(
        "forwarding events of {} to {}",
        args.server, args.forward_to
    );
    loop {
        let mut req = client
            .get(&stream_url)
            .header("Authorization", format!("Token {}", args.key));
        if let Some(id) = &last_id {
            req = req.header("Last-Event-ID", id);
        }
        match req.send().await {
            Ok(resp) if resp.status().is_success() => {
                follow(&client, &args.forward_to, resp, &mut last_id).await;
            }
            Ok(resp) if resp.status().is_client_error() => {
                anyhow::bail!("{stream_url} answered {}", resp.status());
            }
            Ok(resp) => eprintln!("{stream_url} answered {}; retrying", resp.status()),
            Err(e) => eprintln!("cannot reach {stream_url}: {e}; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn follow(
    client: &reqwest::Client,
    forward_to: &str,
    mut resp: reqwest::Response,
    last_id: &mut Option<String>,
) {
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let Some(event) = parse_block(&block) else {
                continue;
            };
            let status = forward(client, forward_to, &event).await;
            println!(
                "{} {} -> {status}",
                event.id.as_deref().unwrap_or("-"),
                event.event.as_deref().unwrap_or("message"),
            );
            if event.id.is_some() {
                last_id.clone_from(&event.id);
            }
        }
    }
}

async fn forward(client: &reqwest::Client, url: &str, event: &SseEvent) -> String {
    let sent = client
        .post(url)
        .header("Content-Type", "application/json")
        .body(event.data.clone())
        .send()
        .await
        .with_context(|| format!("POST {url}"));
    match sent {
        Ok(r) => r.status().to_string(),
        Err(e) => format!("error: {e:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sse_blocks() {
        let ev = parse_block("id: 7\nevent: job.created\ndata: {\"a\":1}\n\n").unwrap();
        assert_eq!(ev.id.as_deref(), Some("7"));
        assert_eq!(ev.event.as_deref(), Some("job.created"));
        assert_eq!(ev.data, "{\"a\":1}");
        assert_eq!(parse_block(":keep-alive\n\n"), None);
        assert_eq!(parse_block("data: a\ndata: b\n").unwrap().data, "a\nb");
    }
}
