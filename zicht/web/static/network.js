// The network page's graph (cytoscape.js, built-in "cose" layout) and its "why linked" panel.
// Under our CSP there is no inline script or style and no eval: the elements come from a JSON block,
// the panel shows copies of blocks the server rendered (for nodes, templates on the page; for a pair,
// the why block of the pair's own page, fetched when first asked for), and the graph's
// styles are set through cytoscape's own stylesheet objects, never through <style> elements.
// Test hook: after layout the graph element carries data-state="ready", data-nodes and data-edges,
// and holds the cytoscape instance as its `cy` property.
"use strict";
(function () {
  var el = document.getElementById("network-graph");
  var body = document.getElementById("why-body");
  if (!el || !body) return;

  function whyBlock(key) {
    var found = document.querySelector('[data-why="' + key + '"]');
    if (!found) return null;
    return found.tagName === "TEMPLATE" ? found.content.cloneNode(true) : found.cloneNode(true);
  }

  function decideButton(a, b, level) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "panel-decide";
    button.textContent = document.getElementById("why-panel").dataset.decideLabel;
    button.addEventListener("click", function () {
      choosePair(a, b, level);
    });
    return button;
  }

  // Pairs beyond the table's first rows have a page of their own; the panel shows its "why" block.
  var fetched = {};
  function fetchWhy(key, a, b) {
    if (!fetched[key]) {
      var url = "/netwerken/" + el.dataset.network + "/paren/" + a + "-" + b;
      fetched[key] = fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(url + ": " + response.status);
          return response.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          return page.querySelector('[data-why="' + key + '"]');
        });
    }
    return fetched[key];
  }

  function fill(key, block) {
    body.replaceChildren();
    if (!block) return;
    body.appendChild(block);
    var m = /^pair-(\d+)-(\d+)$/.exec(key);
    if (m) {
      var link = document.querySelector('a.decide-link[data-a="' + m[1] + '"][data-b="' + m[2] + '"]');
      body.appendChild(decideButton(m[1], m[2], link ? link.dataset.level : "network"));
    }
    body.dataset.showing = key;
  }

  function showWhy(key) {
    var block = whyBlock(key);
    var m = /^pair-(\d+)-(\d+)$/.exec(key);
    if (block || !m) {
      fill(key, block);
      return;
    }
    body.dataset.showing = "";
    fetchWhy(key, m[1], m[2])
      .then(function (found) {
        fill(key, found ? document.importNode(found, true) : null);
      })
      .catch(function (error) {
        console.error(error);
      });
  }

  // "Confirm or split…" fills in the form on this page instead of reloading it.
  function choosePair(a, b, level) {
    var form = document.querySelector(".link-decision-form");
    if (!form) return;
    form.elements.ad_a.value = a;
    form.elements.ad_b.value = b;
    if (level) {
      var radio = form.querySelector('input[name="level"][value="' + level + '"]');
      if (radio) radio.checked = true;
    }
    document.getElementById("beslissen").scrollIntoView();
    var first = form.querySelector('input[name="decision"]');
    if (first) first.focus();
  }

  document.querySelectorAll("a.decide-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      choosePair(link.dataset.a, link.dataset.b, link.dataset.level);
    });
  });

  // "Show why" in the table of links opens the pair's own page without JavaScript; with it, the
  // panel shows that page's why block (loaded on demand: a big network lists thousands of pairs).
  var graph = null;
  document.querySelectorAll("a.why-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var key = link.dataset.show;
      showWhy(key);
      if (graph) {
        graph.elements().unselect();
        graph.edges('[why = "' + key + '"]').select();
      }
      document.getElementById("why-panel").scrollIntoView({ block: "nearest" });
    });
  });

  if (typeof cytoscape !== "function") {
    el.dataset.state = "error";
    return;
  }
  // cytoscape adds a <style> element for `position: relative` on its container unless one with this id
  // exists; our CSP refuses such styles, and zicht.css carries that rule instead.
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    var marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }
  var source = document.getElementById(el.dataset.graph);
  var rows = JSON.parse(source.textContent);
  // rows of node_fields / edge_fields (the server sends rows, not objects: a big graph is half the size)
  function elements(list, fields) {
    return list.map(function (row) {
      var item = {};
      fields.forEach(function (name, i) {
        if (name === "hub") item.hub = row[i] === 1;
        else if (row[i] !== "" || name !== "why") item[name] = row[i];
      });
      return { data: item };
    });
  }
  var data = {
    nodes: elements(rows.nodes, rows.node_fields),
    edges: elements(rows.edges, rows.edge_fields),
    channels: rows.channels,
  };
  // Edge labels (channel and score) on every link in a small graph; in a big one only on the chosen link.
  var links = 0;
  data.edges.forEach(function (e) {
    if (e.data.kind !== "link") return;
    links += 1;
    e.data.label = (data.channels[e.data.channel] || e.data.channel) + " " + e.data.score.toFixed(2);
  });
  el.replaceChildren();
  graph = cytoscape({
    container: el,
    elements: { nodes: data.nodes, edges: data.edges },
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "font-size": 10,
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-wrap": "ellipsis",
          "text-max-width": 120,
          color: "#10202f",
          width: 22,
          height: 22,
        },
      },
      { selector: 'node[kind = "persona"]', style: { shape: "ellipse", "background-color": "#1f5f99", width: 30, height: 30 } },
      { selector: 'node[kind = "contact"]', style: { shape: "round-rectangle", "background-color": "#c77c02" } },
      { selector: 'node[kind = "photo"]', style: { shape: "diamond", "background-color": "#6b7785" } },
      {
        selector: "node[?hub]",
        style: { "background-color": "#ffffff", "border-width": 2, "border-style": "dashed", "border-color": "#8a1c1c" },
      },
      {
        selector: "edge",
        style: { width: 1, "line-color": "#b8c2cc", "curve-style": "bezier" },
      },
      {
        selector: 'edge[kind = "link"]',
        style: {
          width: "mapData(score, 0, 1, 1.5, 6)",
          "line-color": "#1f5f99",
          label: links <= 30 ? "data(label)" : "",
          "font-size": 8,
          "text-rotation": "autorotate",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.8,
        },
      },
      { selector: 'edge[channel = "photo"]', style: { "line-color": "#6b7785" } },
      { selector: 'edge[channel = "text"], edge[channel = "template"]', style: { "line-style": "dashed", "line-color": "#5b3f8c" } },
      { selector: 'edge[channel = "move"]', style: { "line-style": "dotted", "line-color": "#2d7d46" } },
      { selector: "edge[?hub]", style: { "line-style": "dashed", "line-color": "#d9a0a0" } },
      { selector: ":selected", style: { "overlay-color": "#f2b705", "overlay-opacity": 0.35, "overlay-padding": 4 } },
      { selector: 'edge[kind = "link"]:selected', style: { label: "data(label)", "z-index": 10 } },
    ],
    layout: { name: "circle" },
  });
  el.cy = graph;

  graph.on("tap", "edge", function (event) {
    var edge = event.target;
    var key = edge.data("why");
    if (key) {
      showWhy(key);
    } else {
      // persona - contact point / photo: what the node at the other end is
      showWhy(edge.target().data("why"));
    }
  });
  graph.on("tap", "node", function (event) {
    showWhy(event.target.data("why"));
  });

  var layout = graph.layout({
    name: "cose",
    animate: false,
    randomize: false,
    fit: true,
    padding: 20,
    nodeDimensionsIncludeLabels: true,
    idealEdgeLength: function () {
      return 70;
    },
  });
  layout.one("layoutstop", function () {
    el.dataset.nodes = String(graph.nodes().length);
    el.dataset.edges = String(graph.edges().length);
    el.dataset.state = "ready";
  });
  layout.run();
})();
