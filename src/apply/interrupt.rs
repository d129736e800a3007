//! Signals during a hand-off to adc.
//!
//! While a [`Guard`] lives, SIGINT, SIGTERM and SIGHUP no longer end gwlint: each is
//! recorded and forwarded to the adc process that is running, if any. adc runs in its
//! own process group, so a Ctrl-C at the terminal reaches it once, through gwlint.
//! gwlint then waits for adc to finish, removes the private folder that holds the
//! resolved bundle, and exits 1 saying which signal stopped it; no further adc step
//! starts once a signal has arrived. Only SIGKILL (which nothing can catch) leaves the
//! folder and adc behind.

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::Arc;

/// The signals a hand-off catches.
#[cfg(unix)]
const CAUGHT: [i32; 3] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
];

/// Catches the signals while alive (see the module documentation).
pub struct Guard {
    /// The last signal received, 0 for none.
    received: Arc<AtomicI32>,
    /// The process id of the running adc, 0 for none.
    child: Arc<AtomicU32>,
    #[cfg(unix)]
    handle: Option<signal_hook::iterator::Handle>,
    #[cfg(unix)]
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Guard {
    /// Start catching the signals.
    ///
    /// # Errors
    /// When the handlers cannot be installed.
    pub fn install() -> std::io::Result<Self> {
        let received = Arc::new(AtomicI32::new(0));
        let child = Arc::new(AtomicU32::new(0));
        #[cfg(unix)]
        {
            let mut signals = signal_hook::iterator::Signals::new(CAUGHT)?;
            let handle = signals.handle();
            let (seen, running) = (Arc::clone(&received), Arc::clone(&child));
            let thread = std::thread::spawn(move || {
                for signal in signals.forever() {
                    seen.store(signal, Ordering::SeqCst);
                    forward(running.load(Ordering::SeqCst), signal);
                }
            });
            Ok(Guard {
                received,
                child,
                handle: Some(handle),
                thread: Some(thread),
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Guard { received, child })
        }
    }

    /// The signal that arrived, if one did.
    #[must_use]
    pub fn interrupted(&self) -> Option<i32> {
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }

    /// adc (process `pid`) is running: signals go to it. A signal that arrived just
    /// before is forwarded now.
    pub fn running(&self, pid: u32) {
        self.child.store(pid, Ordering::SeqCst);
        if let Some(signal) = self.interrupted() {
            forward(pid, signal);
        }
    }

    /// adc has finished.
    pub fn finished(&self) {
        self.child.store(0, Ordering::SeqCst);
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            if let Some(handle) = self.handle.take() {
                handle.close();
            }
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

/// The name of a signal, for messages.
#[must_use]
pub fn name(signal: i32) -> String {
    #[cfg(unix)]
    {
        match signal {
            signal_hook::consts::SIGINT => return "SIGINT".into(),
            signal_hook::consts::SIGTERM => return "SIGTERM".into(),
            signal_hook::consts::SIGHUP => return "SIGHUP".into(),
            _ => {}
        }
    }
    format!("signal {signal}")
}

/// Send `signal` to process `pid` (nothing for 0).
#[cfg(unix)]
fn forward(pid: u32, signal: i32) {
    let (Some(pid), Some(signal)) = (
        i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw),
        rustix::process::Signal::from_named_raw(signal),
    ) else {
        return;
    };
    let _ = rustix::process::kill_process(pid, signal);
}
