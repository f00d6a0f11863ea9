//! Simulation: [`simulate`] runs a [`Model`] under a [`Regimen`] to a [`Trajectory`].
//!
//! Use this module to choose *how* to integrate ([`SolverOptions`]: method, tolerances, step
//! budget) and to run a simulation: from the model's initial state ([`simulate`]), from any
//! state and time ([`simulate_from`]), with state-triggered events ([`simulate_with_events`]),
//! or to the periodic steady state of a dosing pattern ([`steady_state`]).
//!
//! Integration is piecewise: time is cut at every dose, fraction, infusion start and end, and
//! output time; boluses and fractions are applied as jumps between segments; the method
//! restarts at every cut with a freshly computed first step, so no step-size history crosses a
//! discontinuity. Times closer than a few ULPs are one cut. Outputs land exactly on the
//! requested times (a segment ends there), and each jump time gives two rows, before (`pre`)
//! and after (`post`) the jump.

mod dormand_prince;
mod error;
mod events;
mod explicit;
mod options;
mod steady;

pub use crate::trajectory::SolverStats;
pub use crate::units::DiameterMapping;
pub use error::SolveError;
pub use events::{Action, Condition, EventRule, Quantity, EVENT_TIME_TOLERANCE};
pub use options::{AbsoluteTolerance, Method, SolverOptions, StateTolerance, Stiffness};
pub use steady::{steady_state, Period, SteadyState};

use crate::dosing::ScheduleError;
use crate::dosing::{same_time, Plan, Regimen, Subject};
use crate::model::Model;
use crate::trajectory::{DoseRecord, EventRecord, Side, Trajectory};
use crate::Error;
use events::Watch;
use explicit::{Integrator, Outcome};

/// Checks output times: at least one, finite, not before `start`, strictly increasing.
fn check_times(times: &[f64], start: f64) -> Result<(), ScheduleError> {
    if times.is_empty() {
        return Err(ScheduleError::NoOutputTimes);
    }
    let mut previous = f64::NEG_INFINITY;
    for (index, &time) in times.iter().enumerate() {
        let reason = if !time.is_finite() {
            "is not finite"
        } else if time < start {
            if start == 0.0 {
                "is negative"
            } else {
                "is before the start of the simulation"
            }
        } else if time <= previous {
            "is not after the one before it"
        } else {
            previous = time;
            continue;
        };
        return Err(ScheduleError::InvalidOutputTime {
            index,
            time,
            reason,
        });
    }
    Ok(())
}

/// One simulation, configured step by step; [`simulate`], [`simulate_from`] and
/// [`simulate_with_events`] are shortcuts for the common cases.
///
/// ```
/// use oncodyn::prelude::*;
/// use oncodyn::solver::Simulation;
///
/// // A drug whose clearance doubles from day 10 (e.g. a covariate change): two models with the
/// // same states, switched at t = 10.
/// let mut b = ModelBuilder::new();
/// let drug = b.drug(DrugSpec::new("drug", OneCompartment { cl: 1.0, v: 10.0 }))?;   // k = 0.1 1/day
/// let before = b.build()?;
/// let after = before.modified(|spec| spec.drugs[0].cl = 2.0)?;         // k = 0.2 1/day
/// let regimen = Regimen::new("one").with(Dose::bolus(0.0, "drug", 100.0));
/// let opts = SolverOptions { rtol: 1e-10, ..Default::default() };
/// let traj = Simulation::new(&before, &regimen, &[0.0, 10.0, 20.0])
///     .options(&opts)
///     .switch_model(10.0, &after)
///     .run()?;
/// let c20 = traj.value_at(20.0, drug)?;
/// assert!((c20 - 10.0 * (-1.0f64).exp() * (-2.0f64).exp()).abs() < 1e-8);
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Simulation<'a> {
    model: &'a Model,
    regimen: &'a Regimen,
    times: &'a [f64],
    options: Option<&'a SolverOptions>,
    rules: &'a [EventRule],
    start: Option<(&'a [f64], f64)>,
    switches: Vec<(f64, &'a Model)>,
    subject: Option<&'a Subject>,
}

impl<'a> Simulation<'a> {
    /// `model` under `regimen` from t = 0 and the model's initial state, with output rows at
    /// `times` (days) and default [`SolverOptions`].
    pub fn new(model: &'a Model, regimen: &'a Regimen, times: &'a [f64]) -> Self {
        Simulation {
            model,
            regimen,
            times,
            options: None,
            rules: &[],
            start: None,
            switches: Vec::new(),
            subject: None,
        }
    }

    /// Resolve per-weight and per-surface-area doses (and every dose an event adds) for
    /// `subject`; without one, such doses are an error.
    #[must_use]
    pub fn subject(mut self, subject: &'a Subject) -> Self {
        self.subject = Some(subject);
        self
    }

    /// Integrate with `options`.
    #[must_use]
    pub fn options(mut self, options: &'a SolverOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Watch `rules` (see [`EventRule`]).
    #[must_use]
    pub fn events(mut self, rules: &'a [EventRule]) -> Self {
        self.rules = rules;
        self
    }

    /// Start from `state` at time `start` (days) instead of the model's initial state at 0.
    #[must_use]
    pub fn start_from(mut self, state: &'a [f64], start: f64) -> Self {
        self.start = Some((state, start));
        self
    }

    /// From time `at` (days) on, integrate `model` instead: piecewise-constant parameters (a
    /// covariate that changes, an effect switched on). `model` must have the same states (build
    /// it with [`Model::modified`]); the state carries over unchanged.
    #[must_use]
    pub fn switch_model(mut self, at: f64, model: &'a Model) -> Self {
        self.switches.push((at, model));
        self
    }

    /// Runs the simulation.
    ///
    /// # Errors
    /// [`ScheduleError`] for invalid output times, doses, rules, starting state or model
    /// switches (named by index); [`SolveError`] when integration fails,
    /// with the time (and state).
    pub fn run(&self) -> Result<Trajectory, Error> {
        let default = SolverOptions::default();
        let options = self.options.unwrap_or(&default);
        let (state, start) = self.start.unwrap_or((self.model.initial_state(), 0.0));
        let mut switches = self.switches.clone();
        switches.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (index, (at, model)) in switches.iter().enumerate() {
            let same = model.states().len() == self.model.states().len()
                && model
                    .states()
                    .iter()
                    .zip(self.model.states())
                    .all(|(a, b)| a.name == b.name && a.unit == b.unit);
            if !same || !at.is_finite() || *at < start {
                return Err(ScheduleError::InvalidModelSwitch {
                    index,
                    time: *at,
                    reason: if same {
                        "its time is not finite or before the start"
                    } else {
                        "its states differ from the model's"
                    },
                }
                .into());
            }
        }
        Run::new(self, state, start, switches, options)?.finish()
    }
}

/// Simulates `model` under `regimen` from t = 0 (the model's initial state) to the last of
/// `times` (days), with output rows at each of `times` and at every dose.
///
/// Doses after the last output time lie outside the simulated window and are not given
/// ([`Trajectory::doses`] lists those that were).
///
/// ```
/// use oncodyn::prelude::*;
///
/// let mut b = ModelBuilder::new();
/// let drug = b.drug(DrugSpec::new("drug", OneCompartment { cl: 2.0, v: 10.0 }))?; // k = 0.2 1/day
/// let model = b.build()?;
/// let regimen = Regimen::new("single").with(Dose::bolus(0.0, "drug", 100.0));
/// let opts = SolverOptions { rtol: 1e-10, ..Default::default() };
/// let traj = simulate(&model, &regimen, &[0.0, 5.0], &opts)?;
/// let c5 = traj.value_at(5.0, drug)?;                   // mg/L
/// assert!((c5 - 10.0 * (-1.0f64).exp()).abs() < 1e-8);
/// # Ok::<(), oncodyn::Error>(())
/// ```
///
/// # Errors
/// [`ScheduleError`] for invalid output times or doses (named by index);
/// [`SolveError`] when integration fails, with the time (and state).
pub fn simulate(
    model: &Model,
    regimen: &Regimen,
    times: &[f64],
    options: &SolverOptions,
) -> Result<Trajectory, Error> {
    Simulation::new(model, regimen, times)
        .options(options)
        .run()
}

/// Simulates from `state` at time `start` (days) instead of the model's initial state; doses
/// and output times must not be earlier than `start`.
///
/// # Errors
/// As [`simulate`], plus [`ScheduleError::InvalidInitialState`] for a state of the wrong
/// length or with a non-finite value, and [`ScheduleError::BeforeStart`] for a dose before
/// `start`.
pub fn simulate_from(
    model: &Model,
    state: &[f64],
    start: f64,
    regimen: &Regimen,
    times: &[f64],
    options: &SolverOptions,
) -> Result<Trajectory, Error> {
    Simulation::new(model, regimen, times)
        .options(options)
        .start_from(state, start)
        .run()
}

/// Simulates from the model's initial state with state-triggered `rules` (see
/// [`EventRule`]): crossings are located to [`EVENT_TIME_TOLERANCE`] and recorded in
/// [`Trajectory::events`], and their actions applied.
///
/// ```
/// use oncodyn::prelude::*;
/// use oncodyn::solver::{simulate_with_events, Action, Condition, EventRule, Quantity};
///
/// let mut b = ModelBuilder::new();
/// b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))?;
/// let model = b.build()?;
/// let doubling = EventRule::new(
///     "doubled",
///     Condition::Above { quantity: Quantity::Burden { tumor: "tumor".into() }, value: 2e6 },
///     Action::Stop,
/// );
/// let opts = SolverOptions { rtol: 1e-10, ..Default::default() };
/// let traj = simulate_with_events(&model, &Regimen::new("none"), &[doubling], &[0.0, 30.0], &opts)?;
/// let t = traj.events()[0].time;
/// assert!((t - 10.0 * 2f64.ln()).abs() < 1e-8);   // doubling time ln 2 / r
/// # Ok::<(), oncodyn::Error>(())
/// ```
///
/// # Errors
/// As [`simulate`], plus [`ScheduleError::UnknownEventTarget`] and
/// [`ScheduleError::InvalidEventThreshold`] for rules that do not fit the model.
pub fn simulate_with_events(
    model: &Model,
    regimen: &Regimen,
    rules: &[EventRule],
    times: &[f64],
    options: &SolverOptions,
) -> Result<Trajectory, Error> {
    Simulation::new(model, regimen, times)
        .options(options)
        .events(rules)
        .run()
}

/// What happens at one cut of the time axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// Output time `i`.
    Output(usize),
    /// Infusion `i` of the plan ends.
    InfusionEnd(usize),
    /// Infusion `i` starts.
    InfusionStart(usize),
    /// Jump `i` of the plan (bolus, fraction or reset).
    Jump(usize),
    /// Model switch `i` takes effect.
    Switch(usize),
}

/// How far [`Run::advance`] got.
enum Progress {
    /// To the cut.
    Reached,
    /// To an event whose action changed the plan.
    Interrupted,
    /// To an event that stopped the simulation.
    Stopped,
}

/// One simulation in progress.
struct Run<'a> {
    model: &'a Model,
    times: &'a [f64],
    rules: &'a [EventRule],
    subject: Subject,
    switches: Vec<(f64, &'a Model)>,
    next_switch: usize,
    integrator: Integrator<'a>,
    plan: Plan,
    watches: Vec<Watch>,
    trajectory: Trajectory,
    y: Vec<f64>,
    t: f64,
    t_end: f64,
    inputs: Vec<f64>,
    /// Per infusion: where it stands.
    phase: Vec<InfusionPhase>,
    next_jump: usize,
    next_output: usize,
}

/// Where one infusion of the run stands (diffsol's `OdeSolverStopReason` style: one enum
/// instead of two flags, so the meaningless "ended but not started" cannot be written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InfusionPhase {
    /// Not started yet: its start is a future cut.
    Pending,
    /// Started and not ended: its rate is in the inputs, its end is a future cut.
    Running,
    /// Ran to its end (its planned end, or now if a rule stopped dosing while it ran).
    Ended,
    /// Dropped by a rule before it started; it never delivered anything.
    Cancelled,
}

impl<'a> Run<'a> {
    fn new(
        simulation: &Simulation<'a>,
        state: &[f64],
        start: f64,
        switches: Vec<(f64, &'a Model)>,
        options: &'a SolverOptions,
    ) -> Result<Self, Error> {
        let Simulation {
            model,
            regimen,
            times,
            rules,
            subject,
            ..
        } = *simulation;
        let n = model.n_states();
        if state.len() != n || state.iter().any(|v| !v.is_finite()) {
            return Err(ScheduleError::InvalidInitialState {
                expected: n,
                reason: if state.len() != n {
                    format!("{} values", state.len())
                } else {
                    "a non-finite value".to_string()
                },
            }
            .into());
        }
        if !start.is_finite() {
            return Err(ScheduleError::InvalidOutputTime {
                index: 0,
                time: start,
                reason: "start is not finite",
            }
            .into());
        }
        check_times(times, start)?;
        let subject = subject.cloned().unwrap_or_default();
        let plan = regimen.resolve_for(model, &subject)?;
        check_start(&plan, start)?;
        let watches = events::resolve(model, rules)?;
        let n_inf = plan.infusions.len();
        Ok(Run {
            model,
            times,
            rules,
            subject,
            switches,
            next_switch: 0,
            integrator: Integrator::new(model, options)?,
            watches,
            trajectory: Trajectory::new(model),
            y: state.to_vec(),
            t: start,
            t_end: times[times.len() - 1],
            inputs: vec![0.0; n],
            phase: vec![InfusionPhase::Pending; n_inf],
            next_jump: 0,
            next_output: 0,
            plan,
        })
    }

    /// The next cut: its time, with everything that happens then in `events` (cleared
    /// first), or `None` past the end. Allocates nothing once `events` has grown; looks at the
    /// next jump only (the pending jumps are sorted by time), so a long regimen costs no more
    /// per cut than a short one.
    fn next_cut(&self, events: &mut Vec<Event>) -> Option<f64> {
        events.clear();
        let output = self.times.get(self.next_output).copied();
        let jump = self.plan.jumps.get(self.next_jump).map(|j| j.time);
        let switch = self.switches.get(self.next_switch).map(|s| s.0);
        let infusion = |i: usize| -> Option<(f64, Event)> {
            let inf = &self.plan.infusions[i];
            match self.phase[i] {
                InfusionPhase::Pending => Some((inf.start, Event::InfusionStart(i))),
                InfusionPhase::Running => Some((inf.end, Event::InfusionEnd(i))),
                InfusionPhase::Ended | InfusionPhase::Cancelled => None,
            }
        };
        let infusions = 0..self.plan.infusions.len();
        let tc = [output, jump, switch]
            .into_iter()
            .flatten()
            .chain(
                infusions
                    .clone()
                    .filter_map(|i| infusion(i).map(|(t, _)| t)),
            )
            .fold(f64::INFINITY, f64::min);
        if !tc.is_finite() || !(tc <= self.t_end || same_time(self.t_end, tc)) {
            return None;
        }
        if output.is_some_and(|t| same_time(tc, t)) {
            events.push(Event::Output(self.next_output));
        }
        let jumps = self.plan.jumps.iter().enumerate().skip(self.next_jump);
        for (i, _) in jumps.take_while(|(_, j)| same_time(tc, j.time)) {
            events.push(Event::Jump(i));
        }
        if switch.is_some_and(|t| same_time(tc, t)) {
            events.push(Event::Switch(self.next_switch));
        }
        for (t, e) in infusions.filter_map(infusion) {
            if same_time(tc, t) {
                events.push(e);
            }
        }
        events.sort();
        Some(tc)
    }

    fn finish(mut self) -> Result<Trajectory, Error> {
        for w in &mut self.watches {
            w.observe(&self.y);
        }
        let mut events = Vec::new();
        while let Some(tc) = self.next_cut(&mut events) {
            if tc > self.t {
                match self.advance(tc)? {
                    Progress::Reached => {}
                    // An action changed what comes next: take the next cut afresh.
                    Progress::Interrupted => continue,
                    Progress::Stopped => break,
                }
            }
            let row_time = events
                .iter()
                .find_map(|e| match e {
                    Event::Output(i) => Some(self.times[*i]),
                    _ => None,
                })
                .unwrap_or(tc);
            if self.apply(tc, row_time, &events)? {
                break;
            }
        }
        self.trajectory.set_stats(self.integrator.stats);
        Ok(self.trajectory)
    }

    /// Integrates to `tc`, handling every event crossing on the way.
    fn advance(&mut self, tc: f64) -> Result<Progress, Error> {
        if self.watches.iter().all(|w| !w.armed) {
            self.integrator
                .integrate(self.t, tc, &mut self.y, &self.inputs)?;
            self.t = tc;
            return Ok(Progress::Reached);
        }
        loop {
            let outcome = self.integrator.integrate_watched(
                self.t,
                tc,
                &mut self.y,
                &self.inputs,
                &mut self.watches,
            )?;
            match outcome {
                Outcome::Reached => {
                    self.t = tc;
                    return Ok(Progress::Reached);
                }
                Outcome::Crossed { t, watches } => {
                    self.t = t;
                    let mut changed = false;
                    for k in watches {
                        if self.fire(k)? {
                            return Ok(Progress::Stopped);
                        }
                        changed |= !matches!(self.watches[k].rule.action, Action::Record);
                    }
                    // An action may have changed what comes before tc (added or cancelled
                    // doses): let the caller take the next cut afresh.
                    if changed {
                        return Ok(Progress::Interrupted);
                    }
                }
            }
        }
    }

    /// Applies what happens at the cut `tc` and writes its rows; `true` if a rule fired by a
    /// jump stopped the simulation.
    fn apply(&mut self, tc: f64, row_time: f64, events: &[Event]) -> Result<bool, Error> {
        // A model switch comes first: doses at the same time act on the new model.
        for e in events {
            if let Event::Switch(i) = *e {
                self.switch(i)?;
            }
        }
        let jumps: Vec<usize> = events
            .iter()
            .filter_map(|e| match e {
                Event::Jump(i) => Some(*i),
                _ => None,
            })
            .collect();
        if jumps.is_empty() {
            self.trajectory.push(row_time, Side::At, &self.y);
        } else {
            let before: Vec<f64> = self.watches.iter().map(|w| w.g(&self.y)).collect();
            self.trajectory.push(row_time, Side::Pre, &self.y);
            for &i in &jumps {
                let kind = self.plan.jumps[i].kind;
                kind.apply(&mut self.y, self.model.initial_state());
                self.trajectory.record_jump(self.model, tc, &kind);
            }
            self.next_jump = self.next_jump.max(jumps.iter().max().map_or(0, |m| m + 1));
            self.trajectory.push(row_time, Side::Post, &self.y);
            // A jump can cross a threshold (a fraction pushing a tumor below eradication).
            for (k, g0) in before.into_iter().enumerate() {
                if self.watches[k].armed
                    && g0 < 0.0
                    && self.watches[k].g(&self.y) >= 0.0
                    && self.fire(k)?
                {
                    return Ok(true);
                }
            }
        }
        for w in &mut self.watches {
            w.observe(&self.y);
        }
        let mut rates_changed = false;
        for e in events {
            match *e {
                Event::Output(i) => self.next_output = i + 1,
                Event::InfusionStart(i) => {
                    self.phase[i] = InfusionPhase::Running;
                    rates_changed = true;
                    let inf = self.plan.infusions[i];
                    self.trajectory.record_dose(DoseRecord {
                        time: tc,
                        state: self.model.states()[inf.state].name.clone(),
                        amount: inf.rate * (inf.end - inf.start),
                        duration: Some(inf.end - inf.start),
                        dose: inf.dose,
                    });
                }
                Event::InfusionEnd(i) => {
                    self.phase[i] = InfusionPhase::Ended;
                    rates_changed = true;
                }
                Event::Jump(_) | Event::Switch(_) => {}
            }
        }
        if rates_changed {
            self.sum_inputs();
        }
        Ok(false)
    }

    /// Integrates model switch `i` from now on, keeping each rule's progress.
    fn switch(&mut self, i: usize) -> Result<(), Error> {
        let model = self.switches[i].1;
        let mut watches = events::resolve(model, self.rules)?;
        for (new, old) in watches.iter_mut().zip(&self.watches) {
            new.carry_over(old);
        }
        self.watches = watches;
        self.model = model;
        self.integrator.model = model;
        self.trajectory.rebind(model);
        self.next_switch = i + 1;
        Ok(())
    }

    /// Input rates summed afresh from the running infusions, so an input returns exactly to 0.
    fn sum_inputs(&mut self) {
        self.inputs.fill(0.0);
        let running = self
            .plan
            .infusions
            .iter()
            .zip(&self.phase)
            .filter(|(_, p)| **p == InfusionPhase::Running);
        for (inf, _) in running {
            self.inputs[inf.state] += inf.rate;
        }
    }

    /// Fires watch `k` at the current time and state; `true` if the simulation stops.
    fn fire(&mut self, k: usize) -> Result<bool, Error> {
        let (rule_name, action, repeat) = {
            let w = &self.watches[k];
            (w.rule.name.clone(), w.rule.action.clone(), w.rule.repeat)
        };
        self.watches[k].armed = repeat;
        self.trajectory.record_event(EventRecord {
            time: self.t,
            rule: rule_name,
            action: action_name(&action),
            state: self.y.clone(),
        });
        let t = self.t;
        match action {
            Action::Record => {
                self.trajectory.push(t, Side::At, &self.y);
            }
            Action::Stop => {
                self.trajectory.push(t, Side::At, &self.y);
                return Ok(true);
            }
            Action::Eradicate { tumor } => {
                self.trajectory.push(t, Side::Pre, &self.y);
                let spec = self.model.spec();
                if let Some(i) = spec.tumors.iter().position(|x| x.name == tumor) {
                    let range = self.model.layout.tumors[i].clone();
                    self.y[range].fill(0.0);
                }
                self.trajectory.push(t, Side::Post, &self.y);
            }
            Action::Dose { dose } => {
                self.trajectory.push(t, Side::At, &self.y);
                let extra = Regimen::new("event")
                    .with(dose.shifted(t))
                    .resolve_for(self.model, &self.subject)?;
                self.add(extra);
            }
            Action::StopDosing => {
                self.trajectory.push(t, Side::At, &self.y);
                self.cancel_pending();
            }
            Action::SwitchRegimen { regimen } => {
                self.trajectory.push(t, Side::At, &self.y);
                self.cancel_pending();
                let extra = regimen.shifted(t).resolve_for(self.model, &self.subject)?;
                self.add(extra);
            }
        }
        for w in &mut self.watches {
            w.observe(&self.y);
        }
        Ok(false)
    }

    /// Drops every jump not yet applied and every infusion not yet started, and ends the
    /// running ones now.
    fn cancel_pending(&mut self) {
        self.plan.jumps.truncate(self.next_jump);
        for i in 0..self.plan.infusions.len() {
            match self.phase[i] {
                InfusionPhase::Pending => self.phase[i] = InfusionPhase::Cancelled,
                InfusionPhase::Running => {
                    self.plan.infusions[i].end = self.t;
                    self.phase[i] = InfusionPhase::Ended;
                }
                InfusionPhase::Ended | InfusionPhase::Cancelled => {}
            }
        }
        self.sum_inputs();
    }

    /// Adds the jumps and infusions of `extra` (all at or after the current time).
    fn add(&mut self, extra: Plan) {
        self.plan.jumps.extend(extra.jumps);
        crate::dosing::sort_jumps(&mut self.plan.jumps[self.next_jump..]);
        for inf in extra.infusions {
            self.plan.infusions.push(inf);
            self.phase.push(InfusionPhase::Pending);
        }
    }
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::Record => "record",
        Action::Stop => "stop",
        Action::Eradicate { .. } => "eradicate",
        Action::Dose { .. } => "dose",
        Action::StopDosing => "stop_dosing",
        Action::SwitchRegimen { .. } => "switch_regimen",
    }
}

/// Checks that nothing in `plan` happens before `start`.
fn check_start(plan: &Plan, start: f64) -> Result<(), ScheduleError> {
    let early_jump = plan
        .jumps
        .iter()
        .find(|j| j.time < start && !same_time(start, j.time));
    let early_infusion = plan
        .infusions
        .iter()
        .find(|i| i.start < start && !same_time(start, i.start));
    let (what, time) = match (early_jump, early_infusion) {
        (Some(j), _) => (j.kind.describe(), j.time),
        (None, Some(i)) => (format!("infusion of dose {}", i.dose), i.start),
        (None, None) => return Ok(()),
    };
    Err(ScheduleError::BeforeStart { what, time, start })
}
