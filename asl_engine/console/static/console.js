/* asl-engine console: the pages' behaviour. Plain JavaScript, no build step; the data comes from
   /console/api/ (see asl_engine/console/routes.py), the layout from the vendored Viz.js (Graphviz).
   The outcome of each state is computed on the server (asl_engine/console/outcomes.py). */
"use strict";

(function () {
  const body = document.body;
  const PAGE = body.dataset.page;
  const ARN = body.dataset.arn;
  const ACTIONS = body.dataset.actions === "true";
  const STATIC = body.dataset.static;
  const VERSION = body.dataset.version;
  const API = "/console/api/";
  const POLL_MS = 1000;
  const ROW_HEIGHT = 28;
  const OUTCOMES = ["succeeded", "failed", "caught", "retried", "running", "cancelled"];
  const main = document.getElementById("main");

  // -- small helpers ------------------------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function getJson(path) {
    const response = await fetch(API + path, { headers: { Accept: "application/json" } });
    const data = await response.json();
    if (!response.ok) throw apiError(data, response.status);
    return data;
  }

  async function callApi(operation, request) {
    const response = await fetch(API + operation, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(request),
    });
    const data = await response.json();
    if (!response.ok) throw apiError(data, response.status);
    return data;
  }

  function apiError(data, status) {
    const error = new Error((data && data.message) || "HTTP " + status);
    error.code = (data && data.__type) || "HTTP" + status;
    return error;
  }

  function showError(where, error) {
    const message = el("div", { class: "message error", role: "alert" }, (error.code ? error.code + ": " : "") + error.message);
    where.prepend(message);
    return message;
  }

  function pageLink(kind, arn, text) {
    return el("a", { href: "/" + kind + "/" + encodeURIComponent(arn) }, text);
  }

  function nameOf(arn) {
    return String(arn || "").split(":").pop();
  }

  function when(epoch) {
    if (epoch === undefined || epoch === null) return "";
    const date = new Date(epoch * 1000);
    return date.toISOString().replace("T", " ").replace("Z", " UTC");
  }

  function duration(start, stop) {
    if (start === undefined || start === null) return "";
    const seconds = (stop === undefined || stop === null ? Date.now() / 1000 : stop) - start;
    if (seconds < 1) return Math.round(seconds * 1000) + " ms";
    if (seconds < 120) return seconds.toFixed(seconds < 10 ? 3 : 1) + " s";
    const minutes = Math.floor(seconds / 60);
    if (minutes < 120) return minutes + " min " + Math.round(seconds - minutes * 60) + " s";
    return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  function statusBadge(status) {
    return el("span", { class: "status status-" + status, "data-status": status }, status);
  }

  /* A JSON text (as the API ships payloads) pretty-printed; other text as it is. */
  function pretty(value) {
    if (typeof value !== "string") return JSON.stringify(value, null, 2);
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch (ignored) {
      return value;
    }
  }

  function jsonBlock(value, attributes) {
    return el("pre", Object.assign({ class: "json" }, attributes || {}), pretty(value));
  }

  function metaList(pairs) {
    return el("dl", { class: "meta" }, pairs.filter((pair) => pair[1] !== undefined && pair[1] !== "").map(
      ([label, value]) => el("div", {}, el("dt", {}, label), el("dd", {}, value))
    ));
  }

  function setMode() {
    const mode = document.getElementById("mode");
    mode.textContent = ACTIONS ? "actions allowed" : "read-only";
    if (ACTIONS) mode.classList.add("actions");
    mode.title = ACTIONS ? "Started with --allow-actions: this console can answer tasks, stop and redrive executions" :
      "Start asl serve with --allow-actions to answer tasks, stop and redrive executions from here";
  }

  function mark(name) {
    if (window.performance && performance.mark) performance.mark(name);
  }

  function markReady() {
    body.dataset.ready = "true";
    if (window.performance && performance.mark) performance.mark("console-ready");
  }

  // -- the graph ----------------------------------------------------------------------------------

  let vizPromise = null;
  function loadViz() {
    if (!vizPromise) {
      vizPromise = new Promise((resolve, reject) => {
        const script = el("script", { src: STATIC + "/vendor/viz/viz-global.js?v=" + VERSION });
        script.onload = () => window.Viz.instance().then(resolve, reject);
        script.onerror = () => reject(new Error("could not load the layout engine (" + script.src + ")"));
        document.head.append(script);
      });
    }
    return vizPromise;
  }

  function legend(withOutcomes) {
    const items = [];
    if (withOutcomes) {
      for (const outcome of OUTCOMES) items.push(el("span", {}, el("i", { class: "l-" + outcome }), outcome));
      items.push(el("span", {}, el("i", { class: "l-notreached" }), "not reached"));
    }
    items.push(el("span", {}, el("i", { class: "l-catch" }), "Catch"));
    items.push(el("span", {}, el("i", { class: "l-retry" }), "Retry"));
    return el("div", { class: "legend" }, items);
  }

  /* Lays the diagram out, puts it in `holder`, and returns the states' elements by name. */
  async function drawGraph(holder, diagram, onSelect) {
    const viz = await loadViz();
    mark("console-viz");
    const svg = viz.renderSVGElement(diagram.dot);
    mark("console-rendered");
    const width = parseFloat(svg.getAttribute("width"));
    const height = parseFloat(svg.getAttribute("height"));
    holder.replaceChildren(svg);
    for (const [chainId, members] of Object.entries(diagram.chains || {})) stackChain(svg, chainId, members, diagram.states);
    mark("console-stacked");
    const states = new Map();
    for (const node of svg.querySelectorAll("g.state")) {
      const info = diagram.states[node.id];
      if (!info) continue;
      node.dataset.state = info.name;
      node.dataset.type = info.type;
      if (!node.stateBox) {
        const title = node.querySelector("title");
        if (title) title.textContent = info.name + " (" + info.type + ")";
      }
      states.set(info.name, node);
    }
    svg.addEventListener("click", (event) => {
      const node = event.target.closest("g.state");
      if (node && onSelect) onSelect(node.dataset.state);
    });
    let scale = Math.min(1, (holder.clientWidth - 20) / width);
    if (!(scale > 0.45)) scale = Math.max(0.45, Math.min(1, scale));
    const apply = () => {
      svg.setAttribute("width", width * scale + "pt");
      svg.setAttribute("height", height * scale + "pt");
    };
    apply();
    enablePanning(holder);
    return {
      svg,
      states,
      zoom(factor) {
        scale = factor === 0 ? Math.min(1, (holder.clientWidth - 20) / width) : Math.max(0.1, Math.min(3, scale * factor));
        apply();
      },
    };
  }

  /* A chain laid out as one tall node (asl_engine/console/diagram.py): its states stacked inside the
     node's box, one slot each (a box, then an arrow to the next), drawn like Graphviz's nodes. */
  const SVG_NS = "http://www.w3.org/2000/svg";
  const SLOT = 0.7 * 72;
  const BOX = 0.4 * 72;

  function svgEl(tag, attributes, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function stackChain(svg, chainId, members, states) {
    const holder = svg.getElementById(chainId);
    const shape = holder && holder.querySelector("polygon, path");
    if (!shape) return;
    const box = shape.getBBox();
    const parent = holder.parentNode;
    members.forEach((memberId, index) => {
      const info = states[memberId];
      const top = box.y + index * SLOT;
      const group = svgEl("g", { id: memberId, class: "node state type-" + info.type });
      group.append(svgEl("title", {}, info.name + " (" + info.type + ")"));
      group.stateBox = { x: box.x, y: top, width: box.width, height: BOX };
      const r = 4;
      const x0 = box.x, x1 = box.x + box.width, y0 = top, y1 = top + BOX;
      group.append(svgEl("path", {
        d: `M${x0 + r},${y0}H${x1 - r}Q${x1},${y0} ${x1},${y0 + r}V${y1 - r}Q${x1},${y1} ${x1 - r},${y1}H${x0 + r}Q${x0},${y1} ${x0},${y1 - r}V${y0 + r}Q${x0},${y0} ${x0 + r},${y0}Z`,
        fill: "#ffffff", stroke: "#5f6b7a",
      }));
      group.append(svgEl("text", { x: box.x + box.width / 2, y: top + BOX / 2 + 4, "text-anchor": "middle",
        "font-family": "Helvetica,sans-Serif", "font-size": "12.00" }, info.name));
      parent.append(group);
      if (index < members.length - 1) {
        const x = box.x + box.width / 2;
        const edge = svgEl("g", { class: "edge edge-next" });
        edge.append(svgEl("path", { d: `M${x},${y1}V${top + SLOT - 5}`, fill: "none", stroke: "#5f6b7a" }));
        edge.append(svgEl("polygon", { points: `${x - 3},${top + SLOT - 6} ${x + 3},${top + SLOT - 6} ${x},${top + SLOT}`, fill: "#5f6b7a", stroke: "#5f6b7a" }));
        parent.append(edge);
      }
    });
    holder.remove();
  }

  function enablePanning(holder) {
    let start = null;
    holder.addEventListener("mousedown", (event) => {
      start = { x: event.clientX, y: event.clientY, left: holder.scrollLeft, top: holder.scrollTop };
      holder.classList.add("dragging");
    });
    window.addEventListener("mousemove", (event) => {
      if (!start) return;
      holder.scrollLeft = start.left - (event.clientX - start.x);
      holder.scrollTop = start.top - (event.clientY - start.y);
    });
    window.addEventListener("mouseup", () => {
      start = null;
      holder.classList.remove("dragging");
    });
  }

  function graphTools(graph) {
    return el("div", { class: "graph-tools" },
      el("button", { type: "button", title: "Zoom in", onclick: () => graph.zoom(1.25) }, "+"),
      el("button", { type: "button", title: "Zoom out", onclick: () => graph.zoom(0.8) }, "\u2212"),
      el("button", { type: "button", title: "Fit to width", onclick: () => graph.zoom(0) }, "Fit"));
  }

  /* Colours each state by its outcome and shows how often it was entered (when more than once).
     The badges' positions are all read before any is added: reading a box after a change to the
     drawing makes the browser lay it out again, a thousand times over on a large machine. */
  function colourGraph(graph, outcomes) {
    const badges = [];
    for (const [name, node] of graph.states) {
      const state = outcomes[name];
      const outcome = state ? state.outcome : "notreached";
      const count = String(state ? state.entered : 0);
      if (node.dataset.outcome === outcome && node.dataset.count === count) continue;
      for (const known of OUTCOMES) node.classList.remove("outcome-" + known);
      if (state) node.classList.add("outcome-" + outcome);
      node.dataset.outcome = outcome;
      node.dataset.count = count;
      const old = node.querySelector(".count");
      if (old) old.remove();
      const title = node.querySelector("title");
      if (title) {
        let text = name + " (" + node.dataset.type + "): " + (state ? outcome : "not reached");
        if (state && state.entered > 1) text += ", entered " + state.entered + " times (" +
          Object.entries(state.counts).map(([key, times]) => times + " " + key).join(", ") + ")";
        if (state && state.retries) text += ", " + state.retries + " retried failure" + (state.retries > 1 ? "s" : "");
        title.textContent = text;
      }
      if (state && state.entered > 1) badges.push([node, state.entered]);
    }
    const boxes = badges.map(([node]) => node.stateBox || node.querySelector("path, polygon").getBBox());
    badges.forEach(([node, entered], index) => addCount(node, entered, boxes[index]));
  }

  function addCount(node, count, box) {
    const label = "\u00d7" + count;
    const width = 8 + label.length * 6.5;
    const group = svgEl("g", { class: "count" });
    group.append(svgEl("rect", { x: box.x + box.width - width + 6, y: box.y - 8, width, height: 15, rx: 7 }));
    group.append(svgEl("text", { x: box.x + box.width - width / 2 + 6, y: box.y + 3, "text-anchor": "middle" }, label));
    node.append(group);
  }

  // -- the home page ------------------------------------------------------------------------------

  async function homePage() {
    const params = new URLSearchParams(location.search);
    const status = params.get("status") || "";
    const machine = params.get("machine") || "";
    const data = await getJson("home?" + new URLSearchParams({ status, machine }));
    const machines = el("section", { class: "card", id: "state-machines" },
      el("h2", {}, "State machines (" + data.stateMachines.length + ")"),
      data.stateMachines.length === 0 ? el("p", { class: "muted" }, "No state machine yet: create one with CreateStateMachine " +
        "(aws stepfunctions create-state-machine --endpoint-url " + location.origin + " ...).") :
      el("table", { class: "list" },
        el("thead", {}, el("tr", {}, el("th", {}, "Name"), el("th", {}, "Type"), el("th", {}, "Created"), el("th", {}, "ARN"))),
        el("tbody", {}, data.stateMachines.map((entry) => el("tr", { "data-arn": entry.stateMachineArn },
          el("td", {}, pageLink("state-machines", entry.stateMachineArn, entry.name)),
          el("td", {}, entry.type), el("td", {}, when(entry.creationDate)),
          el("td", { class: "muted" }, entry.stateMachineArn))))));
    const statusSelect = el("select", { id: "status-filter", name: "status" },
      ["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"].map((value) =>
        el("option", { value, selected: value === status }, value || "any")));
    const machineSelect = el("select", { id: "machine-filter", name: "machine" },
      el("option", { value: "" }, "any"),
      data.stateMachines.map((entry) => el("option", { value: entry.stateMachineArn, selected: entry.stateMachineArn === machine }, entry.name)));
    const refilter = () => {
      const next = new URLSearchParams();
      if (statusSelect.value) next.set("status", statusSelect.value);
      if (machineSelect.value) next.set("machine", machineSelect.value);
      location.search = next.toString();
    };
    statusSelect.addEventListener("change", refilter);
    machineSelect.addEventListener("change", refilter);
    const executions = el("section", { class: "card", id: "executions" },
      el("h2", {}, "Executions (" + data.executions.length + ")"),
      el("div", { class: "filters" }, el("label", {}, "Status", statusSelect), el("label", {}, "State machine", machineSelect)),
      executionTable(data.executions, true));
    main.replaceChildren(el("h1", {}, "Step Functions"), machines, executions);
    markReady();
  }

  function executionTable(executions, withMachine) {
    if (executions.length === 0) return el("p", { class: "muted" }, "No execution.");
    return el("table", { class: "list executions" },
      el("thead", {}, el("tr", {}, el("th", {}, "Name"), el("th", {}, "Status"),
        withMachine ? el("th", {}, "State machine") : null, el("th", {}, "Started"), el("th", {}, "Duration"))),
      el("tbody", {}, executions.map((execution) => el("tr", { "data-arn": execution.executionArn, "data-status": execution.status },
        el("td", {}, pageLink("executions", execution.executionArn, execution.name)),
        el("td", {}, statusBadge(execution.status)),
        withMachine ? el("td", {}, pageLink("state-machines", execution.stateMachineArn, nameOf(execution.stateMachineArn))) : null,
        el("td", {}, when(execution.startDate)),
        el("td", {}, duration(execution.startDate, execution.stopDate))))));
  }

  // -- the state machine page ---------------------------------------------------------------------

  async function machinePage() {
    const data = await getJson("state-machine?" + new URLSearchParams({ arn: ARN }));
    mark("console-data");
    const machine = data.stateMachine;
    const holder = el("div", { class: "graph definition-only", id: "graph" }, el("p", { class: "loading" }, "Laying out\u2026"));
    const graphCard = el("section", { class: "card" }, el("h2", {}, "Graph"), legend(false), holder);
    const children = [
      el("h1", {}, machine.name, el("span", { class: "status" }, machine.type)),
      el("section", { class: "card" }, metaList([
        ["ARN", machine.stateMachineArn], ["Type", machine.type], ["Status", machine.status],
        ["Created", when(machine.creationDate)], ["Role", machine.roleArn], ["Revision", machine.revisionId],
      ])),
      graphCard,
      el("section", { class: "card" }, el("h2", {}, "Definition"), el("pre", { class: "json", id: "definition" }, pretty(machine.definition))),
    ];
    if (ACTIONS) children.push(startForm(machine));
    children.push(el("section", { class: "card", id: "executions" }, el("h2", {}, "Executions (" + data.executions.length + ")"),
      executionTable(data.executions, false)));
    main.replaceChildren(...children);
    try {
      const graph = await drawGraph(holder, data.diagram, null);
      mark("console-layout");
      graphCard.insertBefore(graphTools(graph), holder);
    } catch (error) {
      showError(holder, error);
    }
    markReady();
  }

  function startForm(machine) {
    const name = el("input", { type: "text", id: "start-name", placeholder: "name (optional)" });
    const input = el("textarea", { id: "start-input", rows: 4 }, "{}");
    const card = el("section", { class: "card" }, el("h2", {}, "Start an execution"),
      el("div", { class: "filters" }, el("label", {}, "Name", name)), input);
    card.append(el("div", { class: "filters" }, el("button", {
      type: "button", class: "primary", id: "start-execution",
      onclick: async () => {
        try {
          const request = { stateMachineArn: machine.stateMachineArn, input: checkedJson(input.value) };
          if (name.value.trim()) request.name = name.value.trim();
          const started = await callApi("StartExecution", request);
          location.href = "/executions/" + encodeURIComponent(started.executionArn);
        } catch (error) {
          showError(card, error);
        }
      },
    }, "Start execution")));
    return card;
  }

  function checkedJson(text) {
    try {
      JSON.parse(text);
    } catch (error) {
      const failure = new Error("The input is not JSON: " + error.message);
      failure.code = "InvalidJSON";
      throw failure;
    }
    return text;
  }

  // -- the execution page -------------------------------------------------------------------------

  const FAILURE = /(Failed|TimedOut|Aborted)$/;

  async function executionPage() {
    const data = await getJson("execution?" + new URLSearchParams({ arn: ARN, since: 0 }));
    mark("console-data");
    const page = new ExecutionPage(data);
    await page.drawn;
    markReady();
    page.poll();
  }

  class ExecutionPage {
    constructor(data) {
      this.events = [];
      this.steps = new Map();
      this.lastId = 0;
      this.selectedState = null;
      this.header = el("div", { id: "execution-header" });
      this.summary = el("section", { class: "card", id: "summary" });
      this.callbacks = el("div", { id: "callbacks" });
      this.holder = el("div", { class: "graph", id: "graph" }, el("p", { class: "loading" }, "Laying out\u2026"));
      this.stateDetail = el("div", { id: "state-detail" }, el("p", { class: "muted" }, "Select a state in the graph to see its input and output."));
      this.graphCard = el("section", { class: "card" }, el("h2", {}, "Graph"), legend(true), this.holder);
      this.io = el("section", { class: "card two", id: "io" });
      this.maps = el("div", { id: "maps" });
      this.table = new EventTable(this);
      main.replaceChildren(this.header, this.summary, this.callbacks,
        el("div", { class: "split" }, this.graphCard, el("section", { class: "card" }, el("h2", {}, "State"), this.stateDetail)),
        this.io, this.maps, this.table.card);
      this.update(data);
      this.drawn = drawGraph(this.holder, data.diagram, (name) => this.selectState(name)).then((graph) => {
        this.graph = graph;
        mark("console-layout");
        this.graphCard.insertBefore(graphTools(graph), this.holder);
        colourGraph(graph, this.outcomes.states);
      }, (error) => showError(this.holder, error));
    }

    update(data) {
      this.execution = data.execution;
      this.outcomes = data.outcomes;
      if (data.stateMachine) this.stateMachine = data.stateMachine;
      for (const event of data.events) {
        if (event.id <= this.lastId) continue;
        this.events.push(event);
        this.lastId = event.id;
      }
      this.attributeSteps(data.steps);
      this.renderHeader();
      this.renderCallbacks();
      this.renderIo();
      this.renderMaps(data.mapRuns || [], data.outcomes.mapIterations || []);
      this.table.refresh();
      if (this.graph) colourGraph(this.graph, this.outcomes.states);
      if (this.selectedState) this.selectState(this.selectedState);
    }

    /* The state each event belongs to (the Step column), as the server attributed it. */
    attributeSteps(steps) {
      const byId = this.eventsById || (this.eventsById = new Map());
      for (const event of this.events) byId.set(event.id, event);
      for (const [id, name] of Object.entries(steps || {})) this.steps.set(Number(id), name);
    }

    renderHeader() {
      const execution = this.execution;
      const actions = [];
      if (ACTIONS && execution.status === "RUNNING") {
        actions.push(el("button", { type: "button", class: "danger", id: "stop-execution", onclick: () => this.act("StopExecution",
          { executionArn: execution.executionArn, error: "Console.Stopped", cause: "Stopped from the console" }) }, "Stop execution"));
      }
      if (ACTIONS && ["FAILED", "TIMED_OUT", "ABORTED"].includes(execution.status)) {
        actions.push(el("button", { type: "button", id: "redrive-execution", onclick: () => this.act("RedriveExecution",
          { executionArn: execution.executionArn }) }, "Redrive"));
      }
      this.header.replaceChildren(el("h1", {}, execution.name, statusBadge(execution.status), ...actions));
      this.summary.replaceChildren(metaList([
        ["Execution ARN", execution.executionArn],
        ["State machine", pageLink("state-machines", execution.stateMachineArn, nameOf(execution.stateMachineArn))],
        ["Started", when(execution.startDate)],
        ["Stopped", when(execution.stopDate)],
        ["Duration", duration(execution.startDate, execution.stopDate)],
        ["Events", String(this.events.length)],
        ["Redrives", execution.redriveCount ? String(execution.redriveCount) : ""],
        ["Map run", execution.mapRunArn ? execution.mapRunArn : ""],
      ]));
    }

    async act(operation, request) {
      try {
        await callApi(operation, request);
        await this.refresh();
        this.poll();
      } catch (error) {
        showError(this.header, error);
      }
    }

    renderCallbacks() {
      const pending = this.outcomes.pendingCallbacks || [];
      const key = JSON.stringify(pending.map((callback) => callback.scheduledEventId));
      if (key === this.callbackKey) return;
      this.callbackKey = key;
      if (pending.length === 0) {
        this.callbacks.replaceChildren();
        return;
      }
      const card = el("section", { class: "card" }, el("h2", {}, "Waiting for a task token (" + pending.length + ")"));
      for (const callback of pending) card.append(this.callbackForm(callback));
      this.callbacks.replaceChildren(card);
    }

    callbackForm(callback) {
      const token = el("input", { type: "text", class: "token", value: callback.tokenCandidates[0] || "",
        placeholder: "the task token (not found in the task's parameters: paste it)" });
      const box = el("div", { class: "callback", "data-state": callback.state },
        el("div", {}, el("strong", {}, callback.state), " ", el("span", { class: "muted" }, callback.resource)),
        el("div", { class: "row" }, el("label", { class: "muted" }, "Token"), token));
      if (!ACTIONS) {
        box.append(el("p", { class: "muted" }, "Read-only console: answer with SendTaskSuccess or SendTaskFailure (for example " +
          "aws stepfunctions send-task-success --endpoint-url " + location.origin + "), or restart asl serve with --allow-actions."));
        return box;
      }
      const output = el("textarea", { class: "task-output", rows: 3 }, "{}");
      const error = el("input", { type: "text", class: "task-error", placeholder: "error (e.g. MyError)" });
      const cause = el("input", { type: "text", class: "task-cause", placeholder: "cause" });
      const send = async (operation, request) => {
        try {
          await callApi(operation, Object.assign({ taskToken: token.value.trim() }, request));
          box.append(el("div", { class: "message info" }, operation + " sent"));
          await this.refresh();
          this.poll();
        } catch (failure) {
          showError(box, failure);
        }
      };
      box.append(el("div", {}, el("label", { class: "muted" }, "Output (JSON)"), output),
        el("div", { class: "row" }, el("button", { type: "button", class: "primary send-success", onclick: () => {
          try {
            send("SendTaskSuccess", { output: checkedJson(output.value) });
          } catch (failure) {
            showError(box, failure);
          }
        } }, "Send task success")),
        el("div", { class: "row" }, error, cause, el("button", { type: "button", class: "danger send-failure",
          onclick: () => send("SendTaskFailure", Object.assign(error.value ? { error: error.value } : {}, cause.value ? { cause: cause.value } : {})) },
        "Send task failure")));
      return box;
    }

    renderIo() {
      const execution = this.execution;
      const input = el("div", {}, el("h2", {}, "Input"), jsonBlock(execution.input || "", { id: "execution-input" }));
      let result;
      if (execution.status === "SUCCEEDED") result = el("div", {}, el("h2", {}, "Output"), jsonBlock(execution.output || "", { id: "execution-output" }));
      else if (execution.error || execution.cause) {
        result = el("div", {}, el("h2", {}, "Error"), el("p", { class: "error-text", id: "execution-error" }, execution.error || ""),
          el("h2", {}, "Cause"), jsonBlock(execution.cause || "", { id: "execution-cause" }));
      } else result = el("div", {}, el("h2", {}, "Output"), el("p", { class: "muted" }, execution.status === "RUNNING" ? "Running\u2026" : "None."));
      this.io.replaceChildren(input, result);
    }

    renderMaps(runs, iterations) {
      const parts = [];
      for (const visit of iterations) {
        parts.push(el("section", { class: "card map-iterations", "data-state": visit.state },
          el("h2", {}, "Map iterations: " + visit.state + " (" + visit.iterations.length + ")"),
          el("div", { class: "iterations" }, visit.iterations.map((iteration) =>
            el("span", { class: "status status-" + iteration.status, title: "iteration " + iteration.index + ": " + iteration.status },
              String(iteration.index))))));
      }
      for (const run of runs) {
        const counts = run.executionCounts || {};
        parts.push(el("section", { class: "card map-run", "data-arn": run.mapRunArn },
          el("h2", {}, "Map run ", statusBadge(run.status)),
          metaList([["Map run ARN", run.mapRunArn], ["Started", when(run.startDate)], ["Stopped", when(run.stopDate)],
            ["Child executions", ["succeeded", "failed", "running", "pending", "aborted", "timedOut"]
              .filter((key) => counts[key]).map((key) => counts[key] + " " + key).join(", ") + " of " + (counts.total || 0)]]),
          executionTable(run.executions || [], false)));
      }
      this.maps.replaceChildren(...parts);
    }

    selectState(name) {
      this.selectedState = name;
      if (this.graph) {
        for (const [stateName, node] of this.graph.states) node.classList.toggle("selected", stateName === name);
      }
      const state = this.outcomes.states[name];
      let entered = null;
      let exited = null;
      for (const event of this.events) {
        const details = detailsOf(event);
        if (!details || details.name !== name) continue;
        if (event.type.endsWith("StateEntered")) {
          entered = event;
          exited = null;
        } else if (event.type.endsWith("StateExited")) exited = event;
      }
      const parts = [el("h3", {}, name), el("p", {}, state ? state.outcome + (state.entered > 1 ? ", entered " + state.entered + " times" : "") : "not reached")];
      if (entered) parts.push(el("h3", {}, "Input" + (state && state.entered > 1 ? " (latest visit)" : "")), jsonBlock(detailsOf(entered).input || ""));
      if (exited) parts.push(el("h3", {}, "Output"), jsonBlock(detailsOf(exited).output || ""));
      parts.push(el("button", { type: "button", onclick: () => this.table.filterByStep(name) }, "Show its events"));
      this.stateDetail.replaceChildren(...parts);
    }

    async refresh() {
      const data = await getJson("execution?" + new URLSearchParams({ arn: ARN, since: this.lastId }));
      this.update(data);
    }

    poll() {
      if (this.polling || this.execution.status !== "RUNNING") return;
      this.polling = true;
      const tick = async () => {
        try {
          await this.refresh();
        } catch (error) {
          showError(this.header, error);
        }
        if (this.execution.status === "RUNNING") setTimeout(tick, POLL_MS);
        else this.polling = false;
      };
      setTimeout(tick, POLL_MS);
    }
  }

  function detailsOf(event) {
    for (const key in event) if (key.endsWith("EventDetails")) return event[key];
    return null;
  }

  /* The event table: filterable, virtualised (only the rows in view are in the document), with one
     event's details (input, output, error, cause, parameters...) pretty-printed beside it. */
  class EventTable {
    constructor(page) {
      this.page = page;
      this.rows = [];
      this.selected = null;
      this.search = el("input", { type: "search", id: "event-search", placeholder: "Filter: type, step, error, text\u2026" });
      this.kind = el("select", { id: "event-kind" }, [["all", "All events"], ["state", "State entered/exited"],
        ["failure", "Failures"], ["task", "Tasks"], ["map", "Map and Parallel"]].map(([value, text]) => el("option", { value }, text)));
      this.count = el("span", { class: "muted", id: "event-count" });
      this.view = el("div", { class: "events-view", id: "events" });
      this.spacer = el("div", { class: "spacer" });
      this.tbody = el("tbody");
      this.view.append(this.spacer, el("table", {}, this.columns(), this.tbody));
      this.detail = el("div", { class: "event-detail", id: "event-detail" }, el("p", { class: "muted" }, "Select an event to see its details."));
      this.card = el("section", { class: "card", id: "events-card" }, el("h2", {}, "Events"),
        el("div", { class: "filters" }, this.search, this.kind, this.count),
        el("div", { class: "split" }, el("div", {}, el("table", { class: "events-head" }, this.columns(),
          el("thead", {}, el("tr", {}, el("th", {}, "ID"), el("th", {}, "Type"), el("th", {}, "Step"), el("th", {}, "Elapsed"), el("th", {}, "Timestamp")))),
        this.view), this.detail));
      this.search.addEventListener("input", () => this.refresh());
      this.kind.addEventListener("change", () => this.refresh());
      this.view.addEventListener("scroll", () => this.schedule());
      this.tbody.addEventListener("click", (event) => {
        const row = event.target.closest("tr");
        if (row) this.select(Number(row.dataset.id));
      });
    }

    columns() {
      return el("colgroup", {}, ["c-id", "c-type", "c-step", "c-elapsed", "c-time"].map((name) => el("col", { class: name })));
    }

    filterByStep(name) {
      this.search.value = name;
      this.refresh();
      this.card.scrollIntoView({ block: "start" });
    }

    matches(event) {
      const kind = this.kind.value;
      const type = event.type;
      if (kind === "state" && !/State(Entered|Exited)$/.test(type)) return false;
      if (kind === "failure" && !FAILURE.test(type)) return false;
      if (kind === "task" && !/^(Task|Lambda|Activity)/.test(type)) return false;
      if (kind === "map" && !/^(Map|Parallel)/.test(type)) return false;
      const text = this.search.value.trim().toLowerCase();
      if (!text) return true;
      const step = this.page.steps.get(event.id) || "";
      if (type.toLowerCase().includes(text) || step.toLowerCase().includes(text) || String(event.id) === text) return true;
      const details = detailsOf(event);
      return details ? JSON.stringify(details).toLowerCase().includes(text) : false;
    }

    refresh() {
      const events = this.page.events;
      this.rows = events.filter((event) => this.matches(event));
      this.count.textContent = this.rows.length === events.length ? events.length + " events" : this.rows.length + " of " + events.length + " events";
      this.count.dataset.shown = String(this.rows.length);
      this.count.dataset.total = String(events.length);
      this.spacer.style.height = this.rows.length * ROW_HEIGHT + "px";
      this.start = events.length ? events[0].timestamp : 0;
      this.render();
    }

    schedule() {
      if (this.pending) return;
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.render();
      });
    }

    render() {
      const first = Math.max(0, Math.floor(this.view.scrollTop / ROW_HEIGHT) - 5);
      const count = Math.ceil((this.view.clientHeight || 480) / ROW_HEIGHT) + 10;
      const rows = this.rows.slice(first, first + count);
      this.tbody.parentElement.style.top = first * ROW_HEIGHT + "px";
      this.tbody.replaceChildren(...rows.map((event) => {
        const classes = [FAILURE.test(event.type) ? "failure" : "", event.id === this.selected ? "selected" : ""].join(" ").trim();
        return el("tr", { "data-id": event.id, "data-type": event.type, class: classes || null },
          el("td", {}, event.id), el("td", { class: "type" }, event.type), el("td", { class: "step" }, this.page.steps.get(event.id) || ""),
          el("td", {}, Math.round((event.timestamp - this.start) * 1000) + " ms"), el("td", {}, when(event.timestamp)));
      }));
    }

    select(id) {
      this.selected = id;
      this.render();
      const event = this.page.eventsById.get(id);
      if (!event) return;
      const details = detailsOf(event) || {};
      const parts = [el("h3", {}, event.id + " " + event.type + (this.page.steps.get(id) ? " \u00b7 " + this.page.steps.get(id) : ""))];
      for (const [key, value] of Object.entries(details)) {
        if (/Details$/.test(key) && typeof value === "object") continue;
        const text = typeof value === "string" ? value : JSON.stringify(value);
        parts.push(el("h3", {}, key), key === "error" ? el("p", { class: "error-text detail-" + key }, text) : jsonBlock(text, { class: "json detail-" + key }));
      }
      this.detail.replaceChildren(...parts);
    }
  }

  // -- start ----------------------------------------------------------------------------------------

  setMode();
  if (PAGE === "execution" || PAGE === "state-machine") loadViz().catch(() => {});  // in parallel with the data
  const pages = { home: homePage, "state-machine": machinePage, execution: executionPage };
  (pages[PAGE] || homePage)().catch((error) => {
    main.replaceChildren();
    showError(main, error);
    body.dataset.ready = "error";
  });
})();
