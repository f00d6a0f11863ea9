//! Heap allocations of a solve, counted by a global allocator (this test binary's own): the
//! solver allocates nothing per step or stage once its buffers are sized. Two single-segment
//! solves of pk_tgi_simeoni (PROBLEMS.md problem 2, one dose at t = 0, outputs at 0 and
//! 40 days) at different tolerances take very different numbers of steps; their allocation
//! counts must be equal. Per stage or per step the count would grow with the steps (the
//! heap-vector solver made ~39 allocations per step: 11 380 for 289 steps; the ode_solvers
//! driver on a stack vector still reallocated its stored steps on every doubling).

mod common;

use oncodyn::model::catalog::simeoni_2004;
use oncodyn::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `alloc`'s contract, passed through.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and accepted steps of one solve at `rtol`.
fn solve(rtol: f64, method: Method, regimen: &Regimen, times: &[f64]) -> (u64, u64) {
    let model = simeoni_2004(&common::simeoni_problem_2())
        .expect("builds")
        .model;
    let options = SolverOptions {
        rtol,
        method,
        ..Default::default()
    };
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let traj = simulate(&model, regimen, times, &options).expect("solves");
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    (after - before, traj.stats().accepted_steps)
}

/// The allocations and steps of a coarse and a fine solve (at least 20 steps apart).
fn coarse_and_fine(method: Method, regimen: &Regimen, times: &[f64]) -> [(u64, u64); 2] {
    solve(1e-6, method, regimen, times); // warm up lazily initialised state
    let coarse = solve(1e-5, method, regimen, times);
    let fine = solve(1e-11, method, regimen, times);
    assert!(fine.1 >= coarse.1 + 20, "{coarse:?} vs {fine:?} steps");
    [coarse, fine]
}

/// One test function, so that no other test's allocations land in the global count.
#[test]
fn a_solve_allocates_nothing_per_step() {
    // A single segment (one dose at t = 0, outputs at 0 and 40 days), both methods.
    let regimen = Regimen::new("one dose").with(Dose::bolus(0.0, "drug", 20.0));
    for method in [Method::Dopri5, Method::Dop853] {
        let [(coarse, coarse_steps), (fine, fine_steps)] =
            coarse_and_fine(method, &regimen, &[0.0, 40.0]);
        assert_eq!(
            fine, coarse,
            "{method:?}: {coarse} allocations for {coarse_steps} steps, {fine} for {fine_steps}"
        );
    }
    // The whole of problem 2 (daily outputs, doses at 9, 11 and 13 days: 40 segments): the
    // allocations are per segment and per row (the trajectory grows), the same at any step
    // count.
    let regimen = Regimen::new("paclitaxel").with(Dose::bolus(9.0, "drug", 20.0).repeated(2.0, 3));
    let times: Vec<f64> = (0..=40).map(f64::from).collect();
    let [(coarse, coarse_steps), (fine, fine_steps)] =
        coarse_and_fine(Method::Dopri5, &regimen, &times);
    assert_eq!(
        fine, coarse,
        "{coarse} allocations for {coarse_steps} steps, {fine} for {fine_steps}"
    );
}
