//! `--save`: durable group commit (SPEC §9, §13).
//!
//! A change puts a waiter on the pending list under its group's lock. The
//! committer task takes the whole list and a snapshot of the state
//! (`Engine::snapshot`: every change whose waiter it took is in it),
//! writes it (temporary file in the same directory, fsync, rename, fsync of
//! the directory) off the async threads, and then answers every waiter at
//! once (`Engine::finish`): one file write for all the changes since the
//! last one. A failed write answers its batch, and every change applied
//! since, `false` (the request answers 500 `InternalError`), and puts the
//! state back to the last durable one.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::Notify;

use crate::Shared;

/// The committer's side of the shared state.
pub struct Commit {
    pub path: PathBuf,
    pub notify: Notify,
}

/// The committer task: runs until the process ends.
pub async fn committer(shared: Arc<Shared>) {
    let Some(commit) = shared.commit.as_ref() else {
        return;
    };
    let mut text = String::new();
    let mut groups = Vec::new();
    loop {
        commit.notify.notified().await;
        let Some(waiters) = shared.engine.snapshot(&mut text, &mut groups) else {
            continue;
        };
        let path = commit.path.clone();
        let whole = std::mem::take(&mut text);
        let written = tokio::task::spawn_blocking(move || {
            let result = save_atomically(&path, &whole);
            (whole, result)
        })
        .await;
        let ok = match written {
            Ok((back, result)) => {
                text = back;
                result
                    .map_err(|e| tracing::error!("cannot save {}: {e}", commit.path.display()))
                    .is_ok()
            }
            Err(e) => {
                tracing::error!("the save task failed: {e}");
                false
            }
        };
        shared.engine.finish(ok, waiters);
    }
}

/// Writes `text` to `path` through a temporary file in the same directory
/// and a rename; on failure the temporary file is removed and `path` is
/// untouched. Temporary files are named `.NAME.server-PID-N.tmp`: never
/// the state's own name.
pub fn save_atomically(path: &Path, text: &str) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = fs::metadata(path).map(|m| m.permissions()).ok();
    let mut attempt = 0;
    let (temporary, mut file) = loop {
        let candidate = dir.join(format!(
            ".{name}.server-{}-{attempt}.tmp",
            std::process::id()
        ));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => break (candidate, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                // A leftover of a killed run of this pid: not the state.
                let _ = fs::remove_file(&candidate);
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    };
    let written = permissions
        .map_or(Ok(()), |p| file.set_permissions(p))
        .and_then(|()| file.write_all(text.as_bytes()))
        // The data and the size (all a new file's reader needs); the
        // directory's fsync below makes the name durable.
        .and_then(|()| file.sync_data())
        .and_then(|()| {
            drop(file);
            fs::rename(&temporary, path)
        });
    if let Err(e) = written {
        let _ = fs::remove_file(&temporary);
        return Err(e);
    }
    fs::File::open(dir)?.sync_all()
}
