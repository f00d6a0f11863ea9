//! Atomic output directories: files are written into a temporary directory beside `--out`,
//! which replaces `--out` by renames once every file is complete, so a failed or interrupted
//! run leaves either the previous results or the complete new ones.

use std::fs;
use std::path::{Path, PathBuf};

/// A temporary directory beside the output directory, removed unless committed.
pub struct Staging {
    out: PathBuf,
    temp: PathBuf,
    committed: bool,
}

/// The path beside `out` named `.{name}.{tag}-{process id}`.
fn beside(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!(".{name}.{tag}-{}", std::process::id()))
}

impl Staging {
    /// Checks that `out` is not a file and that its parent can hold a new directory (by
    /// creating the temporary one), before any work is done.
    ///
    /// # Errors
    /// A message naming `out` when it is a file or the temporary directory cannot be created.
    pub fn begin(out: &Path) -> Result<Staging, String> {
        if out.exists() && !out.is_dir() {
            return Err(format!(
                "{}: --out names a file, not a directory",
                out.display()
            ));
        }
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", out.display()))?;
        }
        let temp = beside(out, "partial");
        fs::create_dir(&temp).map_err(|e| {
            format!(
                "{}: cannot write the output directory (creating {}: {e})",
                out.display(),
                temp.display()
            )
        })?;
        Ok(Staging {
            out: out.to_path_buf(),
            temp,
            committed: false,
        })
    }

    /// The directory to write into.
    pub fn dir(&self) -> &Path {
        &self.temp
    }

    /// Moves the written files into place: the previous `out` (if any) is moved aside, the
    /// temporary directory renamed to `out`, and the previous one removed. Returns the final
    /// paths of `written` (paths inside [`dir`](Self::dir)).
    ///
    /// # Errors
    /// A message naming the path a rename or removal failed on.
    pub fn commit(mut self, written: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
        let fail = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
        let old = beside(&self.out, "previous");
        let had_previous = self.out.exists();
        if had_previous {
            fs::rename(&self.out, &old).map_err(|e| fail(&self.out, e))?;
        }
        if let Err(e) = fs::rename(&self.temp, &self.out) {
            if had_previous {
                // Put the previous results back; the new ones stay in the temporary directory.
                let _ = fs::rename(&old, &self.out);
            }
            return Err(fail(&self.out, e));
        }
        self.committed = true;
        if had_previous {
            fs::remove_dir_all(&old).map_err(|e| fail(&old, e))?;
        }
        Ok(written
            .iter()
            .filter_map(|p| p.file_name())
            .map(|name| self.out.join(name))
            .collect())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover `.name.partial-pid` directory is harmless.
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}
