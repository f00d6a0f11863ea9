//! Heap allocations of a solve, counted by a global allocator (this test binary's own): the
//! solver allocates nothing per stage. Two single-segment solves of pk_tgi_simeoni (PROBLEMS.md
//! problem 2, one dose at t = 0, outputs at 0 and 40 days) at different tolerances take very
//! different numbers of steps; their allocation counts may differ only by the doubling of
//! ode_solvers' two output vectors (it keeps every accepted step of a segment, `x_out` and
//! `y_out`): at most two reallocations per doubling of the step count. Per stage or per step
//! the count would grow with the steps (the heap-vector solver made ~39 allocations per step: 11 380 for 289 steps).

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
fn solve(rtol: f64) -> (u64, u64) {
    let model = simeoni_2004(&common::simeoni_problem_2())
        .expect("builds")
        .model;
    let regimen = Regimen::new("one dose").with(Dose::bolus(0.0, "drug", 20.0));
    let options = SolverOptions {
        rtol,
        ..Default::default()
    };
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let traj = simulate(&model, &regimen, &[0.0, 40.0], &options).expect("solves");
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    (after - before, traj.stats().accepted_steps)
}

#[test]
fn a_solve_allocates_nothing_per_stage() {
    solve(1e-6); // warm up lazily initialised state
    let (coarse, coarse_steps) = solve(1e-5);
    let (fine, fine_steps) = solve(1e-11);
    assert!(
        fine_steps > 3 * coarse_steps,
        "{coarse_steps} vs {fine_steps} steps"
    );
    let doublings = (fine_steps as f64 / coarse_steps as f64).log2().ceil() as u64;
    assert!(
        fine >= coarse && fine - coarse <= 2 * doublings + 2,
        "{coarse} allocations for {coarse_steps} steps, {fine} for {fine_steps}"
    );
}
