//! The `fieldwork` binary as a child process, for tests that kill and restart it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `fieldwork serve` child process.
pub struct ServerProcess {
    pub child: Child,
    pub base_url: String,
    /// The `API key:` line's key, when started with `--demo`.
    pub demo_key: Option<String>,
}

impl ServerProcess {
    /// Starts `bin serve --listen 127.0.0.1:0 --database URL [extra…]` and waits for its
    /// `Base URL:` line.
    pub fn start(bin: &str, database_url: &str, extra: &[&str]) -> anyhow::Result<Self> {
        Self::start_with_env(bin, database_url, extra, &[])
    }

    /// Like [`ServerProcess::start`], with extra environment variables (settings such as
    /// `FIELDWORK_RATE_LIMIT_ENABLED`).
    pub fn start_with_env(
        bin: &str,
        database_url: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let mut child = Command::new(bin)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database",
                database_url,
            ])
            .args(extra)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut demo_key = None;
        loop {
            anyhow::ensure!(Instant::now() < deadline, "server did not start in time");
            let Some(line) = lines.next() else {
                anyhow::bail!("server exited before printing its base URL");
            };
            let line = line?;
            if let Some(k) = line.strip_prefix("API key: ") {
                demo_key = Some(k.trim().to_owned());
            }
            if let Some(url) = line.strip_prefix("Base URL: ") {
                let base_url = url.trim().to_owned();
                // Keep draining stdout so the child never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines.by_ref() {});
                return Ok(Self {
                    child,
                    base_url,
                    demo_key,
                });
            }
        }
    }

    /// Kills the process with SIGKILL (no chance to flush anything) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
