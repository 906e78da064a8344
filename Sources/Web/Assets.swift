/// The stylesheet and the script, served by the app itself (no CDN: admins' networks and these
/// machines may be offline). The script only adds: the form works without it.
enum Assets {
    static let style = """
        :root { --ink: #1d2733; --muted: #5b6876; --line: #d5dbe1; --accent: #0b5cad; --bad: #b3261e; --ok: #1e7d32; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f5f7f9; }
        header { display: flex; gap: 1rem; align-items: baseline; padding: .8rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); }
        header .brand { font-weight: 700; color: var(--accent); text-decoration: none; font-size: 1.15rem; }
        header span { color: var(--muted); }
        main { max-width: 72rem; margin: 0 auto; padding: 1.2rem; }
        h1 { font-size: 1.5rem; margin: .2rem 0 1rem; }
        fieldset { border: 1px solid var(--line); border-radius: 8px; background: #fff; margin: 0 0 1rem; padding: .8rem 1rem 1rem; }
        fieldset.mailbox { position: relative; background: #fafbfc; }
        legend { font-weight: 600; padding: 0 .3rem; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .6rem 1rem; }
        .field { display: flex; flex-direction: column; gap: .2rem; margin-bottom: .4rem; }
        .field.check { flex-direction: row; align-items: center; gap: .5rem; }
        label { font-weight: 500; }
        input[type=text], input[type=email], input[type=password], input[type=number] { font: inherit; padding: .45rem .55rem; border: 1px solid #aab4be; border-radius: 6px; width: 100%; }
        input:focus, button:focus, a.button:focus { outline: 3px solid #8cb8e8; outline-offset: 1px; }
        .invalid input { border-color: var(--bad); }
        .error { color: var(--bad); margin: .1rem 0; font-size: .92rem; }
        .error.summary { background: #fdecea; padding: .6rem .8rem; border-radius: 6px; }
        .notice { background: #e8f3ff; padding: .6rem .8rem; border-radius: 6px; }
        .help { color: var(--muted); font-size: .9rem; }
        button, a.button { font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 1px solid #8895a2; background: #fff; color: var(--ink); cursor: pointer; text-decoration: none; display: inline-block; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.remove { position: absolute; top: .4rem; right: .5rem; padding: .1rem .55rem; font-size: 1.2rem; line-height: 1.2; }
        button.add { font-size: 1.2rem; padding: .2rem .9rem; }
        .actions, .batch-actions { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; }
        .batch-actions form, .job-actions form { display: inline; }
        .table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef1f4; font-weight: 600; white-space: nowrap; }
        td.state { font-weight: 600; white-space: nowrap; }
        td.messages, td.bytes, td.rate, td.eta { white-space: nowrap; }
        td.state[data-state=failed] { color: var(--bad); }
        td.state[data-state=done] { color: var(--ok); }
        .job-actions button { padding: .2rem .5rem; font-size: .85rem; }
        progress { width: 7rem; }
        tr.failed td { color: var(--bad); }
        pre.dns { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem; overflow-x: auto; white-space: pre-wrap; }
        .totals { font-weight: 500; }
        @media (max-width: 40rem) { main { padding: .6rem; } th:nth-child(2), td:nth-child(2), th:nth-child(7), td:nth-child(7) { display: none; } }
        """

    static let script = #"""
        "use strict";
        (function () {
          // The form: "+" and "×" without a round trip; the server handles them when this is off.
          var form = document.getElementById("migration-form");
          if (form) {
            var count = document.getElementById("row_count");
            form.addEventListener("click", function (event) {
              var button = event.target.closest("button");
              if (!button) return;
              var rows = form.querySelectorAll("fieldset.mailbox");
              if (button.classList.contains("add")) {
                event.preventDefault();
                var last = rows[rows.length - 1];
                var copy = last.cloneNode(true);
                var index = rows.length;
                copy.dataset.row = String(index);
                copy.querySelector("legend").textContent = "Mailbox " + (index + 1);
                copy.querySelectorAll(".error").forEach(function (e) { e.remove(); });
                copy.querySelectorAll(".invalid").forEach(function (e) { e.classList.remove("invalid"); });
                copy.querySelectorAll("input").forEach(function (input) {
                  input.name = input.name.replace(/_\d+$/, "_" + index);
                  input.id = input.id.replace(/^row\d+-/, "row" + (index + 1) + "-");
                  input.removeAttribute("aria-invalid");
                  input.removeAttribute("aria-describedby");
                  if (input.type === "checkbox") { input.checked = input.name.indexOf("tls_") === 0; }
                  else if (input.name.indexOf("port_") === 0) { input.value = "993"; }
                  else { input.value = ""; }
                });
                copy.querySelectorAll("label").forEach(function (label) {
                  label.htmlFor = label.htmlFor.replace(/^row\d+-/, "row" + (index + 1) + "-");
                });
                copy.querySelector("button.remove").value = "remove_" + index;
                last.after(copy);
                count.value = String(index + 1);
                copy.querySelector("input").focus();
              } else if (button.classList.contains("remove") && rows.length > 1) {
                event.preventDefault();
                button.closest("fieldset.mailbox").remove();
                renumber();
              }
            });
            function renumber() {
              var rows = form.querySelectorAll("fieldset.mailbox");
              rows.forEach(function (row, index) {
                row.dataset.row = String(index);
                row.querySelector("legend").textContent = "Mailbox " + (index + 1);
                row.querySelectorAll("input").forEach(function (input) {
                  input.name = input.name.replace(/_\d+$/, "_" + index);
                  input.id = input.id.replace(/^row\d+-/, "row" + (index + 1) + "-");
                });
                row.querySelectorAll("label").forEach(function (label) {
                  label.htmlFor = label.htmlFor.replace(/^row\d+-/, "row" + (index + 1) + "-");
                });
                row.querySelector("button.remove").value = "remove_" + index;
              });
              count.value = String(rows.length);
            }
          }

          // The same checks as the server's (MailboxForm, BatchFile), with the same words, before
          // a round trip; the server checks again whatever this lets through.
          if (form) {
            form.addEventListener("submit", function (event) {
              var action = event.submitter ? event.submitter.value : "submit";
              if (action !== "submit" && action !== "check") return;
              var file = document.getElementById("csv");
              if (file && file.files && file.files.length > 0) return;
              form.querySelectorAll("p.client-error").forEach(function (e) { e.remove(); });
              form.querySelectorAll("[data-client-invalid]").forEach(function (input) {
                input.removeAttribute("aria-invalid"); input.removeAttribute("data-client-invalid");
              });
              var problems = 0;
              function fail(input, message) {
                problems += 1;
                var note = document.createElement("p");
                note.className = "error client-error";
                note.id = input.id + "-client-error";
                note.textContent = message;
                input.setAttribute("aria-invalid", "true");
                input.setAttribute("aria-describedby", note.id);
                input.setAttribute("data-client-invalid", "1");
                input.closest(".field").appendChild(note);
              }
              function email(text) { return /^[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]$/.test(text); }
              function weak(password) {
                var missing = [];
                var length = Array.from(password).length;
                if (length < 8) missing.push("at least 8 characters (it has " + length + ")");
                if (!/\p{Ll}/u.test(password)) missing.push("a lowercase letter");
                if (!/\p{Lu}/u.test(password)) missing.push("an uppercase letter");
                if (!/\p{Nd}/u.test(password)) missing.push("a digit");
                return missing.length ? "too weak: needs " + missing.join(", ") : null;
              }
              var report = document.getElementById("report_to");
              if (!report.value.trim()) fail(report, "Email address to receive migration results: required");
              else if (!email(report.value.trim())) fail(report, "\"" + report.value.trim() + "\" is not an email address (name@example.com)");
              form.querySelectorAll("fieldset.mailbox").forEach(function (row, index) {
                var n = index + 1;
                function field(name) { return document.getElementById("row" + n + "-" + name); }
                var required = [["server", "IMAP server"], ["source_email", "Source email"], ["source_password", "Source password"]];
                required.forEach(function (pair) {
                  var input = field(pair[0]);
                  if (input && !input.value.trim()) fail(input, "Row " + n + ": " + pair[1] + ": empty; it is required");
                });
                ["source_email", "target_email"].forEach(function (name) {
                  var input = field(name), label = name === "source_email" ? "Source email" : "Destination email";
                  if (input && input.value.trim() && !email(input.value.trim()))
                    fail(input, "Row " + n + ": " + label + ": \"" + input.value.trim() + "\" is not an email address (name@example.com)");
                });
                var port = field("port");
                if (port && port.value.trim()) {
                  var number = Number(port.value.trim());
                  if (!/^\d+$/.test(port.value.trim())) fail(port, "Row " + n + ": Port: \"" + port.value.trim() + "\" is not a number");
                  else if (number < 1 || number > 65535) fail(port, "Row " + n + ": Port: " + port.value.trim() + " is out of range (1–65535)");
                }
                var source = field("source_password"), target = field("target_password");
                var password = target && target.value ? target.value : (source ? source.value : "");
                if (password) {
                  var problem = weak(password);
                  if (problem) fail(target, "Row " + n + ": Destination password: " + problem + (target.value ? "" : " (the source password, as none was given)"));
                }
              });
              if (problems > 0) {
                event.preventDefault();
                var first = form.querySelector("[data-client-invalid]");
                if (first) first.focus();
              }
            });
          }

          // The status page: live rows from server-sent events, or polling when they fail.
          var body = document.body;
          var eventsURL = body.dataset.events, pollURL = body.dataset.poll;
          if (!eventsURL) return;
          function show(snapshot) {
            document.getElementById("totals").textContent = snapshot.totals;
            if (snapshot.dns) {
              document.getElementById("dns").textContent = snapshot.dns;
              document.getElementById("dns-section").hidden = false;
            }
            snapshot.jobs.forEach(function (job) {
              var row = document.getElementById("job-" + job.id);
              if (!row) return;
              var state = row.querySelector(".state");
              state.textContent = job.state;
              state.dataset.state = job.stateKey;
              var bar = row.querySelector("progress");
              bar.value = job.percent;
              bar.textContent = job.percent + "%";
              row.querySelector(".messages").textContent = job.messages;
              row.querySelector(".bytes").textContent = job.bytes;
              row.querySelector(".rate").textContent = job.rate;
              row.querySelector(".eta").textContent = job.eta;
              row.querySelector(".worker").textContent = job.worker ? "worker " + job.worker : "";
              var error = row.querySelector(".last-error");
              error.textContent = job.error || "";
              if (job.hint) { error.appendChild(document.createElement("br")); var small = document.createElement("small"); small.textContent = job.hint; error.appendChild(small); }
            });
          }
          var polling = false;
          function poll() {
            if (polling) return;
            polling = true;
            (function next() {
              fetch(pollURL, { cache: "no-store" }).then(function (r) { return r.json(); })
                .then(show).catch(function () {}).then(function () { setTimeout(next, 2000); });
            })();
          }
          if (window.EventSource) {
            var source = new EventSource(eventsURL);
            source.addEventListener("jobs", function (event) { show(JSON.parse(event.data)); });
            source.onerror = function () { if (source.readyState === EventSource.CLOSED) poll(); };
          } else {
            poll();
          }
        })();
        """#
}
