//! Limits on evaluating a user's policy: time, memory and stack depth.
//!
//! A Rego policy can run for hours (a comprehension over 10^10 pairs), ask for more
//! memory than there is (`numbers.range(1, 1e9)` requests 24 GB at once; each chained
//! `replace(s, "a", s)` squares a string's length), or recurse without end
//! (`f(x) := y if { y := f(x + 1) }`: Rego forbids recursion, but regorus 0.14's
//! interpreter only detects it for rules without arguments, and its stack overflow
//! aborts the process). regorus offers a cooperative time limit only, so:
//!
//! - **time**: each evaluation runs with regorus' execution timer set to
//!   [`Limits::time`]; the waiting thread gives up a little later if the evaluation has
//!   not come back (a builtin that does not look at the timer);
//! - **memory** and **stack**: each evaluation runs on a thread of its own (with a
//!   [`STACK_SIZE`] stack), and gwlint's global allocator (`src/main.rs`) calls
//!   [`charge`] and [`refund`] for every allocation. On an evaluation thread they count
//!   the bytes the evaluation holds, and compare the stack pointer with the end of the
//!   stack; an allocation that would take the evaluation over [`Limits::memory`], or that
//!   happens deeper than [`STACK_LIMIT`] into the stack, never returns: the thread
//!   records why and sleeps until the process ends, keeping what it holds (at most
//!   the limit). Nothing can unwind out of an allocator, and a thread cannot be killed;
//!   a stopped evaluation costs its memory and a sleeping thread, not the run.
//!
//! An evaluation that stops, or panics inside regorus, comes back as a [`Stop`]; the
//! caller reports it as the rule's `policy/runtime-error` and the other rules and files
//! are still checked; it is not run again in the other environments (see
//! `super::eval`). Compiling the policies runs under the same limits (regorus' parser
//! takes time exponential in how deep brackets nest). Without gwlint's allocator (the
//! library's own tests) only the time limit applies.

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{mpsc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The limits of one evaluation of one rule on one environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall time.
    pub time: Duration,
    /// Bytes the evaluation may hold at once (allocated by it and not yet freed).
    pub memory: u64,
}

impl Default for Limits {
    /// 5 minutes and 1 GiB. The built-in library given as a user's policies (on the
    /// interpreter) checks 100,000 routes with its slowest rule at 41 s, and the whole
    /// run at a 550 MB peak, on a busy 2-core machine (BENCHMARKS.md).
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(300),
            memory: 1 << 30,
        }
    }
}

/// The stack of an evaluation thread (reserved; only what is used is memory).
pub const STACK_SIZE: usize = 64 << 20;

/// How deep into its stack an evaluation may go. The rest is room for the frames
/// between two allocations and for the allocator, so the stack never overflows.
pub const STACK_LIMIT: usize = 48 << 20;

/// Why an evaluation did not come back with a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// It ran past the time limit.
    Time(Duration),
    /// It held more memory than the limit.
    Memory(u64),
    /// It went deeper into its stack than [`STACK_LIMIT`].
    Stack,
    /// regorus panicked, with this message.
    Panic(String),
    /// No thread could be started for it.
    NoThread(String),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Time(limit) => write!(
                f,
                "stopped at the time limit of {} s (`policy_limits.time` in .gwlint.yaml)",
                limit.as_secs_f64()
            ),
            Stop::Memory(limit) => write!(
                f,
                "stopped at the memory limit: it held more than {} \
                 (`policy_limits.memory` in .gwlint.yaml)",
                size(*limit)
            ),
            Stop::Stack => write!(
                f,
                "stopped at the depth limit: it went {} MiB deep into its stack (a \
                 function that calls itself? Rego forbids recursion)",
                STACK_LIMIT >> 20
            ),
            Stop::Panic(message) => write!(f, "the Rego engine failed: {message}"),
            Stop::NoThread(error) => write!(f, "no thread could be started to run it: {error}"),
        }
    }
}

/// A size in the largest binary unit that divides it.
fn size(bytes: u64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

/// The reason an error of regorus gives: its `message`, or a [`Stop`] when it is the
/// execution timer's (`limit`, the error's `downcast_ref`).
#[must_use]
pub fn describe(limit: Option<&regorus::LimitError>, message: String, limits: &Limits) -> String {
    match limit {
        Some(regorus::LimitError::TimeLimitExceeded { .. }) => Stop::Time(limits.time).to_string(),
        _ => message,
    }
}

const RUNNING: u8 = 0;
const OVER_MEMORY: u8 = 1;
const OVER_STACK: u8 = 2;

/// The counting state of the evaluation a thread runs: thread-local, so that the
/// allocator's check is a few plain loads and stores (no atomic operation, no shared
/// cache line). Const-initialised and without a destructor, it costs no set-up and can
/// be read at any point of a thread's life.
struct Counter {
    /// Whether this thread counts its allocations now.
    counting: Cell<bool>,
    /// Bytes allocated minus bytes freed since counting started.
    live: Cell<i64>,
    /// [`Limits::memory`].
    limit: Cell<i64>,
    /// The lowest stack address the evaluation may reach.
    floor: Cell<usize>,
    /// Where to say why the evaluation stopped, for the waiting thread.
    stopped: Cell<Option<&'static AtomicU8>>,
    /// Whether this thread runs evaluations (its panics are caught, not crashes).
    evaluation_thread: Cell<bool>,
}

thread_local! {
    static COUNTER: Counter = const {
        Counter {
            counting: Cell::new(false),
            live: Cell::new(0),
            limit: Cell::new(i64::MAX),
            floor: Cell::new(0),
            stopped: Cell::new(None),
            evaluation_thread: Cell::new(false),
        }
    };
}

/// Run `f` on this thread's counter (not at all in the instant a thread is torn down).
#[inline]
fn with_counter(f: impl FnOnce(&Counter)) {
    let _ = COUNTER.try_with(f);
}

/// Status flags of finished evaluations, for the next ones. A stopped evaluation keeps
/// its flag (its thread still points at it).
static SPARE: Mutex<Vec<&'static AtomicU8>> = Mutex::new(Vec::new());

fn status_flag() -> &'static AtomicU8 {
    let spare = SPARE.lock().unwrap_or_else(PoisonError::into_inner).pop();
    let flag = spare.unwrap_or_else(|| Box::leak(Box::new(AtomicU8::new(RUNNING))));
    flag.store(RUNNING, Ordering::Relaxed);
    flag
}

fn spare(flag: &'static AtomicU8) {
    SPARE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(flag);
}

/// An address in the current stack frame. Stacks grow down on the platforms gwlint
/// runs on, so a deeper frame has a lower address.
#[inline]
fn stack_address() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

/// Count an allocation of `size` bytes against the evaluation this thread is running,
/// if any. Called by gwlint's global allocator before every allocation; it must not
/// allocate. Over the memory or stack limit, it does not return (see the module doc).
#[inline]
pub fn charge(size: usize) {
    with_counter(|counter| {
        if counter.counting.get() {
            count(counter, size);
        }
    });
}

/// [`charge`] on a thread that counts: kept out of line, so that every other thread's
/// allocations pay one load and one branch.
#[inline(never)]
fn count(counter: &Counter, size: usize) {
    // A layout's size is at most `isize::MAX`: never the fallback.
    let live = counter
        .live
        .get()
        .wrapping_add(i64::try_from(size).unwrap_or(i64::MAX));
    counter.live.set(live);
    if live > counter.limit.get() {
        stop(counter, OVER_MEMORY);
    }
    if stack_address() < counter.floor.get() {
        stop(counter, OVER_STACK);
    }
}

/// Count `size` bytes freed on this thread. Called by gwlint's global allocator before
/// every deallocation; it must not allocate.
#[inline]
pub fn refund(size: usize) {
    with_counter(|counter| {
        if counter.counting.get() {
            let size = i64::try_from(size).unwrap_or(i64::MAX);
            counter.live.set(counter.live.get().wrapping_sub(size));
        }
    });
}

/// Stop the evaluation on this thread for good: count no more, tell the waiting
/// thread why, and never go back into the evaluation. Sleeping allocates nothing.
#[cold]
fn stop(counter: &Counter, why: u8) -> ! {
    counter.counting.set(false);
    if let Some(flag) = counter.stopped.get() {
        flag.store(why, Ordering::Release);
    }
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// Whether the current thread runs policy evaluations: a panic there is caught and
/// reported as the rule's failure (the crash hook lets it unwind).
#[must_use]
pub fn on_evaluation_thread() -> bool {
    COUNTER
        .try_with(|counter| counter.evaluation_thread.get())
        .unwrap_or(false)
}

/// Counts the memory and stack of the work it is given; handed to the work of [`run`].
pub struct Meter {
    limit: i64,
}

impl Meter {
    /// Run `work`, counting its allocations and stack depth against the limits.
    pub fn measure<R>(&self, work: impl FnOnce() -> R) -> R {
        with_counter(|counter| {
            counter.live.set(0);
            counter.limit.set(self.limit);
            counter.counting.set(true);
        });
        let result = work();
        with_counter(|counter| counter.counting.set(false));
        result
    }
}

/// How often the waiting thread looks at a running evaluation.
const POLL: Duration = Duration::from_millis(20);

/// Run `work` on a thread of its own under `limits` and wait for it. `work` counts
/// what it wants limited inside [`Meter::measure`]; it should also give regorus'
/// engine the time limit (see [`timer`]), which stops the evaluation cleanly. If the
/// result has not come a quarter of the time limit (at least a second) after it, the
/// thread is left to itself, still running.
///
/// # Errors
/// The [`Stop`] that ended the evaluation.
pub fn run<T: Send + 'static>(
    limits: Limits,
    work: impl FnOnce(&Meter) -> T + Send + 'static,
) -> Result<T, Stop> {
    let flag = status_flag();
    let meter = Meter {
        limit: i64::try_from(limits.memory).unwrap_or(i64::MAX),
    };
    let (done, result) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("gwlint-policy".into())
        .stack_size(STACK_SIZE)
        .spawn(move || {
            let floor = stack_address().saturating_sub(STACK_LIMIT);
            with_counter(|counter| {
                counter.evaluation_thread.set(true);
                counter.stopped.set(Some(flag));
                counter.floor.set(floor);
            });
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&meter)));
            with_counter(|counter| counter.counting.set(false));
            let _ = done.send(outcome.map_err(|panic| panic_message(&*panic)));
        });
    if let Err(error) = spawned {
        spare(flag);
        return Err(Stop::NoThread(error.to_string()));
    }
    let started = Instant::now();
    let give_up = limits.time + (limits.time / 4).max(Duration::from_secs(1));
    loop {
        match result.recv_timeout(POLL) {
            Ok(outcome) => {
                spare(flag);
                return outcome.map_err(Stop::Panic);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Stop::Panic(
                    "the evaluation thread ended without a result".into(),
                ))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        match flag.load(Ordering::Acquire) {
            OVER_MEMORY => return Err(Stop::Memory(limits.memory)),
            OVER_STACK => return Err(Stop::Stack),
            _ if started.elapsed() > give_up => return Err(Stop::Time(limits.time)),
            _ => {}
        }
    }
}

/// regorus' execution timer for `limits`.
#[must_use]
pub fn timer(limits: &Limits) -> regorus::utils::limits::ExecutionTimerConfig {
    regorus::utils::limits::ExecutionTimerConfig {
        limit: limits.time,
        check_interval: std::num::NonZeroU32::new(256).unwrap_or(std::num::NonZeroU32::MIN),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(policy: &str, limits: &Limits) -> regorus::Engine {
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(false);
        engine.add_policy("p.rego".into(), policy.into()).unwrap();
        engine.set_input(regorus::Value::new_object());
        engine.set_execution_timer_config(timer(limits));
        engine
    }

    #[test]
    fn a_result_comes_back_from_its_thread() {
        let limits = Limits::default();
        let mut engine = engine("package p\nx := 1 + 1\n", &limits);
        let value = run(limits, move |meter| {
            assert!(on_evaluation_thread());
            meter.measure(|| engine.eval_rule("data.p.x".into()).unwrap())
        });
        assert_eq!(value, Ok(regorus::Value::from(2)));
        assert!(!on_evaluation_thread());
    }

    #[test]
    fn the_time_limit_stops_a_long_comprehension() {
        let limits = Limits {
            time: Duration::from_millis(200),
            ..Limits::default()
        };
        let mut engine = engine(
            "package p\nn := count([1 | some a in numbers.range(1, 100000); some b in numbers.range(1, 100000)])\n",
            &limits,
        );
        let started = Instant::now();
        let message = run(limits, move |meter| {
            meter.measure(|| {
                let error = engine.eval_rule("data.p.n".into()).unwrap_err();
                describe(error.downcast_ref(), error.to_string(), &limits)
            })
        })
        .unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(
            message,
            "stopped at the time limit of 0.2 s (`policy_limits.time` in .gwlint.yaml)"
        );
    }

    #[test]
    fn sizes_are_shown_in_the_largest_unit_that_divides_them() {
        assert_eq!(size(1 << 30), "1 GiB");
        assert_eq!(size(3 << 29), "1536 MiB");
        assert_eq!(size(64 << 10), "64 KiB");
        assert_eq!(size(1000), "1000 bytes");
        assert_eq!(
            Stop::Memory(1 << 30).to_string(),
            "stopped at the memory limit: it held more than 1 GiB (`policy_limits.memory` in .gwlint.yaml)"
        );
    }

    #[test]
    fn a_panic_on_the_thread_is_a_stop() {
        let stop = run(Limits::default(), |_| -> u8 { panic!("boom") });
        assert_eq!(stop, Err(Stop::Panic("boom".into())));
    }
}
