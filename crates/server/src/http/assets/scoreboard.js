// The live scoreboard: reads the board from the server's event stream and draws it again
// after every change. Plain JavaScript, no framework; the page works in any current browser.
"use strict";

(function () {
  const events = document.body.dataset.events;
  const term = document.body.dataset.term;
  const $ = (id) => document.getElementById(id);
  const previous = new Map();

  // Points as Vietnamese officials write them: a decimal comma.
  const points = (decimal) => (decimal && decimal.value ? decimal.value : "0").replace(".", ",");

  const time = () =>
    new Date().toLocaleTimeString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour12: false });

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
    return td;
  }

  function note(r) {
    const notes = [];
    if (r.unresolvedTie) {
      notes.push("Bằng điểm, chưa phân định thứ hạng");
    } else if (r.tieNote) {
      notes.push("Bằng tổng điểm; thứ hạng phân định theo quy tắc của cụm");
    }
    if (r.classificationNote) {
      notes.push(r.classificationNote);
    }
    return notes.join(". ");
  }

  function draw(board) {
    const rows = board.rows || [];
    const groups = rows.length && rows[0].subtotals ? rows[0].subtotals.map((s) => s.code) : [];
    const head = $("head");
    head.replaceChildren();
    const headings = [["Hạng", "num"], ["Đơn vị", ""]]
      .concat(groups.map((g) => ["Nhóm " + g, "num"]))
      .concat([["Tổng điểm", "num"], ["Xếp loại", ""], ["Ghi chú", ""]]);
    for (const [text, className] of headings) {
      const th = document.createElement("th");
      th.textContent = text;
      th.className = className;
      head.appendChild(th);
    }
    const body = $("rows");
    body.replaceChildren();
    for (const r of rows) {
      const tr = document.createElement("tr");
      tr.dataset.unit = r.unit;
      if (r.rank === 1) {
        tr.classList.add("first");
      }
      if (r.unresolvedTie) {
        tr.classList.add("tied");
      }
      const total = points(r.total);
      if (previous.has(r.unit) && previous.get(r.unit) !== total) {
        tr.classList.add("changed");
      }
      previous.set(r.unit, total);
      cell(tr, String(r.rank || ""), "rank");
      cell(tr, r.displayName || r.unit, "unit");
      for (const g of groups) {
        const s = (r.subtotals || []).find((x) => x.code === g);
        cell(tr, points(s && s.points), "num");
      }
      cell(tr, total, "num total");
      // An empty classification is the lowest level (as the summary table prints it).
      cell(tr, r.classification || "Không hoàn thành nhiệm vụ", "classification");
      cell(tr, note(r), "note");
      body.appendChild(tr);
    }
    const leader = rows.find((r) => r.unit === board.leadingUnit);
    const banner = $("leader");
    if (leader) {
      banner.textContent = "Dẫn đầu cụm: " + (leader.displayName || leader.unit) + " — " +
        points(leader.total) + " điểm";
      banner.hidden = false;
    } else if (rows.length && rows[0].unresolvedTie) {
      banner.textContent = "Vị trí dẫn đầu đang bằng điểm, chưa phân định.";
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    $("board").hidden = rows.length === 0;
    $("notice").hidden = rows.length !== 0;
    $("notice").textContent = rows.length ? "" : "Cụm chưa có thành viên.";
    $("updated").textContent = "Cập nhật lúc " + time();
  }

  function status(online) {
    const live = $("live");
    live.hidden = false;
    live.classList.toggle("offline", !online);
    live.lastChild.textContent = online ? "Trực tiếp" : "Mất kết nối, đang thử lại…";
  }

  // Refused: why, and nothing of the data (nor a promise to reconnect).
  function refuse(text) {
    $("board").hidden = true;
    $("leader").hidden = true;
    $("live").hidden = true;
    $("notice").hidden = false;
    $("notice").textContent = text;
  }

  // What a Connect error means, in the language the server chose (Vietnamese by default).
  function meaning(error) {
    const details = (error && error.details) || [];
    const localized = details.find((d) => d.type === "google.rpc.LocalizedMessage");
    return (localized && localized.debug && localized.debug.message) ||
      "Không mở được bảng xếp hạng.";
  }

  // A call of the JSON API with the key.
  function call(key, method, body) {
    return fetch("/thidua.v1." + method, {
      method: "POST",
      // The page is Vietnamese whatever the browser's language: so are the server's messages.
      headers: {
        "Content-Type": "application/json",
        "Authorization": "Bearer " + key,
        "Accept-Language": "vi",
      },
      body: JSON.stringify(body),
    });
  }

  // With an API key: WatchScoreboard over JSON, read as server-sent events.
  async function watchWithKey(key) {
    const response = await call(key, "ScoringService/WatchScoreboard", { term: term });
    if (!response.ok) {
      refuse(meaning(await response.json().catch(() => null)));
      return;
    }
    $("key-form").hidden = true;
    const cluster = term.split("/terms/")[0];
    call(key, "ClusterService/GetCluster", { name: cluster })
      .then((r) => (r.ok ? r.json() : null))
      .then((c) => {
        if (c && c.cluster) {
          $("cluster").textContent = c.cluster.displayName;
          document.title = "Bảng xếp hạng — " + c.cluster.displayName;
        }
      });
    const year = document.querySelector(".year");
    year.textContent = "Năm " + term.split("/terms/")[1];
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const kind = (block.match(/^event: (.*)$/m) || [])[1];
        const data = (block.match(/^data: (.*)$/m) || [])[1];
        if (kind === "message") {
          status(true);
          draw(JSON.parse(data).scoreboard);
        } else if (kind === "error") {
          refuse(meaning(JSON.parse(data)));
        }
      }
    }
    status(false);
    $("live").lastChild.textContent = "Mất kết nối; tải lại trang để tiếp tục";
  }

  if (!events) {
    const form = $("key-form");
    if (term && form) {
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const key = $("key").value.trim();
        $("notice").textContent = "Đang tải bảng xếp hạng…";
        watchWithKey(key).catch(() => {
          refuse("Không kết nối được với máy chủ. Tải lại trang để thử lại.");
        });
      });
    }
    return;
  }

  const share = new URLSearchParams(window.location.search).get("share") || "";
  const source = new EventSource(events + "?share=" + encodeURIComponent(share));
  source.addEventListener("board", (e) => {
    status(true);
    draw(JSON.parse(e.data));
  });
  source.addEventListener("closing", () => status(false));
  source.addEventListener("refused", (e) => {
    source.close();
    refuse(e.data);
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      refuse("Không kết nối được với máy chủ, hoặc đường dẫn đã hết hạn. Tải lại trang để thử lại.");
    } else {
      status(false);
    }
  });
})();
