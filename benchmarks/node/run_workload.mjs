// Runs one benchmark case through aws-local-stepfunctions and prints the timings as JSON.
//
// Driven by benchmarks/engines/node_peer.py, which sends the case on stdin:
//   {"mode": "execute" | "load", "definition": {...}, "definitionText": "...", "input": ...,
//    "runs": 5, "budgetMs": 30000, "warmup": true, "minSampleMs": 20, "expectedStatus": "SUCCEEDED",
//    "taskResponses": {"State": [{"Throw": {"Error": "E", "Cause": "c"}}, {"Return": ...}]},
//    "waitStates": ["Pause"], "retryStates": ["Call"]}
// and prints {"warmup": {...}, "executionsPerSample": k,
//             "samples": [{"ms": 1.2, "outcomes": [{"status": "SUCCEEDED", "output": ...}, ...]}, ...],
//             "rssBaseKb": ..., "rssPeakKb": ..., "version": "..."}.
// The Python side compares every output with the workload's expected.json.

import { readFileSync } from 'node:fs';

// aws-local-stepfunctions 3 declares Node >= 22 and calls Promise.withResolvers (new in Node 22)
// in its Task state, the only Node 22 API it uses. On Node 20 we supply the standard behaviour.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const { StateMachine } = await import('aws-local-stepfunctions');
const packageFile = new URL('./node_modules/aws-local-stepfunctions/package.json', import.meta.url);
const version = JSON.parse(readFileSync(packageFile, 'utf8')).version;

const spec = JSON.parse(readFileSync(0, 'utf8'));

/**
 * Peak RSS of this process image in kB: VmHWM from /proc. Not resourceUsage().maxRSS: on Linux it
 * keeps the parent's peak across fork and exec, so it would report the Python runner's memory.
 */
function maxRssKb() {
  try {
    const match = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/);
    if (match) return Number(match[1]);
  } catch {
    // no /proc: fall through
  }
  return process.resourceUsage().maxRSS;
}

/** Task handlers answering each call with the next mocked response, as our engine's mocks do. */
function taskHandlers(taskResponses) {
  const handlers = {};
  for (const [state, responses] of Object.entries(taskResponses ?? {})) {
    let call = 0;
    handlers[state] = async () => {
      const response = responses[Math.min(call, responses.length - 1)];
      call += 1;
      if (response.Throw) {
        const error = new Error(response.Throw.Cause ?? '');
        error.name = response.Throw.Error;
        throw error;
      }
      return response.Return;
    };
  }
  return handlers;
}

/** Wait states and retry pauses take no time: this engine has no virtual clock, only these overrides. */
function overrides(spec) {
  const waitTimeOverrides = Object.fromEntries((spec.waitStates ?? []).map((name) => [name, 0]));
  const retryIntervalOverrides = Object.fromEntries((spec.retryStates ?? []).map((name) => [name, 0]));
  return { taskResourceLocalHandlers: taskHandlers(spec.taskResponses), waitTimeOverrides, retryIntervalOverrides };
}

async function runOnce(machine, input, spec) {
  const options = { overrides: overrides(spec) };
  const started = process.hrtime.bigint();
  let outcome;
  try {
    const output = await machine.run(input, options).result;
    outcome = { status: 'SUCCEEDED', output: output === undefined ? null : output };
  } catch (failure) {
    const cause = failure.cause ?? failure;
    outcome = { status: 'FAILED', error: cause.name ?? String(cause), cause: cause.message ?? null };
  }
  outcome.ms = Number(process.hrtime.bigint() - started) / 1e6;
  return outcome;
}

/**
 * One warm-up run, then `runs` samples of k executions each (k from the warm-up, so that a sample
 * lasts about `minSampleMs`), as benchmarks/measure.py does for the Python engines.
 */
async function execute(spec) {
  const machine = new StateMachine(spec.definition);
  let executions = 1;
  let warmup = null;
  if (spec.warmup) {
    warmup = await runOnce(machine, spec.input, spec);
    if (spec.minSampleMs) {
      executions = Math.max(1, Math.min(1000, Math.ceil(spec.minSampleMs / Math.max(warmup.ms, 1e-6))));
    }
  }
  const rssBaseKb = maxRssKb();
  const samples = [];
  let spentMs = 0;
  for (let index = 0; index < spec.runs; index += 1) {
    globalThis.gc?.(); // with --expose-gc: an earlier sample's garbage is not charged to this one
    const outcomes = [];
    let totalMs = 0;
    for (let execution = 0; execution < executions; execution += 1) {
      const outcome = await runOnce(machine, spec.input, spec);
      totalMs += outcome.ms;
      delete outcome.ms;
      outcomes.push(outcome);
      if (outcome.status !== spec.expectedStatus) break;
    }
    samples.push({ ms: totalMs / outcomes.length, outcomes });
    spentMs += totalMs;
    if (outcomes.at(-1).status !== spec.expectedStatus || spentMs >= spec.budgetMs) break;
  }
  return { warmup, executionsPerSample: executions, samples, rssBaseKb, rssPeakKb: maxRssKb() };
}

function load(spec) {
  const rssBaseKb = maxRssKb();
  const runs = [];
  for (let index = 0; index < spec.runs + 1; index += 1) {
    globalThis.gc?.();
    const started = process.hrtime.bigint();
    new StateMachine(JSON.parse(spec.definitionText));
    runs.push({ ms: Number(process.hrtime.bigint() - started) / 1e6, status: 'LOADED' });
  }
  return { cold: runs.shift(), runs, rssBaseKb, rssPeakKb: maxRssKb() };
}

const result = spec.mode === 'load' ? load(spec) : await execute(spec);
result.version = version;
process.stdout.write(JSON.stringify(result) + '\n');
