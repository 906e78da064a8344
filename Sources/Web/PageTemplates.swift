import Mustache

/// The pages, as Mustache templates (escaped by default; `{{{…}}}` only for HTML this module
/// rendered itself). Kept in the binary: `serve` needs no files beside it.
enum PageTemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in [("layout", layout), ("form", form), ("status", status), ("notFound", notFound)] {
            library.register(try MustacheTemplate(string: text), named: name)
        }
        return library
    }

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · mailferry</title>
        <link rel="stylesheet" href="/assets/style.css">
        <script src="/assets/app.js" defer></script>
        </head>
        <body{{#eventsURL}} data-events="{{eventsURL}}" data-poll="{{pollURL}}"{{/eventsURL}}>
        <header><a class="brand" href="/">mailferry</a><span>mail migration to CloudMail</span></header>
        <main>
        {{{content}}}
        </main>
        </body>
        </html>
        """

    static let fieldMarkup = """
        <div class="field{{#error}} invalid{{/error}}">
        <label for="{{id}}">{{label}}</label>
        <input id="{{id}}" name="{{name}}" type="{{type}}" value="{{value}}"{{#placeholder}} placeholder="{{placeholder}}"{{/placeholder}}{{#autocomplete}} autocomplete="{{autocomplete}}"{{/autocomplete}}{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}>
        {{#error}}<p class="error" id="{{id}}-error">{{error}}</p>{{/error}}
        </div>
        """

    static let checkboxMarkup = """
        <div class="field check{{#error}} invalid{{/error}}">
        <input id="{{id}}" name="{{name}}" type="checkbox"{{#checked}} checked{{/checked}}{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}>
        <label for="{{id}}">{{label}}</label>
        {{#error}}<p class="error" id="{{id}}-error">{{error}}</p>{{/error}}
        </div>
        """

    static let form = """
        <h1>Migrate mailboxes to CloudMail</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#errorCount}}<p class="error summary" role="alert">{{errorCount}} field(s) need attention; nothing was started.</p>{{/errorCount}}
        <form method="post" action="/" enctype="multipart/form-data" id="migration-form" novalidate>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="row_count" value="{{rowCount}}" id="row_count">
        <fieldset>
        <legend>CloudMail login credentials (administrator account)</legend>
        {{#admin}}\(fieldMarkup){{/admin}}
        </fieldset>
        {{#report}}\(fieldMarkup){{/report}}
        <fieldset id="mailboxes">
        <legend>Mailboxes to migrate</legend>
        {{#rows}}
        <fieldset class="mailbox" data-row="{{index}}">
        <legend>Mailbox {{number}}</legend>
        {{#rowError}}<p class="error" role="alert">{{rowError}}</p>{{/rowError}}
        <div class="grid">
        {{#fields}}\(fieldMarkup){{/fields}}
        {{#checks}}\(checkboxMarkup){{/checks}}
        </div>
        <button type="submit" name="action" value="remove_{{index}}" class="remove" aria-label="Remove mailbox" title="Remove mailbox">×</button>
        </fieldset>
        {{/rows}}
        <button type="submit" name="action" value="add" class="add" aria-label="Add mailbox" title="Add mailbox">+</button>
        </fieldset>
        <fieldset>
        <legend>Or a CSV file of mailboxes</legend>
        <div class="field{{#csvError}} invalid{{/csvError}}">
        <label for="csv">Upload CSV</label>
        <input id="csv" name="csv" type="file" accept=".csv,text/csv"{{#csvError}} aria-invalid="true" aria-describedby="csv-error"{{/csvError}}>
        {{#csvError}}<div class="error" id="csv-error"><p>The CSV file was not used:</p><ul>{{#csvProblems}}<li>{{.}}</li>{{/csvProblems}}</ul></div>{{/csvError}}
        <p class="help">Columns: source_server, source_user, source_password, source_port, source_tls, target_user, target_password, create_mailbox. A file replaces the rows above.</p>
        </div>
        </fieldset>
        <div class="actions">
        <button type="submit" name="action" value="check">Test connections</button>
        <button type="submit" name="action" value="submit" class="primary">Submit</button>
        </div>
        </form>
        {{#connectionTest}}
        <section class="checks" aria-labelledby="checks-title">
        <h2 id="checks-title">Connection test</h2>
        <table>
        <thead><tr><th scope="col">Row</th><th scope="col">Source email</th><th scope="col">Source login</th><th scope="col">Destination login</th></tr></thead>
        <tbody>
        {{#lines}}<tr class="{{#ok}}ok{{/ok}}{{^ok}}failed{{/ok}}"><td>{{row}}</td><td>{{source}}</td><td>{{sourceResult}}{{#sourceHint}}<br><small>{{sourceHint}}</small>{{/sourceHint}}</td><td>{{targetResult}}{{#targetHint}}<br><small>{{targetHint}}</small>{{/targetHint}}</td></tr>{{/lines}}
        </tbody>
        </table>
        {{#dns}}<pre class="dns">{{dns}}</pre>{{/dns}}
        </section>
        {{/connectionTest}}
        """

    static let status = """
        <h1>Batch {{name}}</h1>
        <p class="totals" id="totals" aria-live="polite">{{totals}}</p>
        <div class="batch-actions">
        <form method="post" action="{{base}}/pause"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Pause</button></form>
        <form method="post" action="{{base}}/resume"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Resume</button></form>
        <form method="post" action="{{base}}/stop"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Stop</button></form>
        {{#canRerun}}<form method="post" action="{{base}}/rerun"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="primary">Run differential sync</button></form>{{/canRerun}}
        <a class="button" href="{{base}}/logs.zip" download>Download logs</a>
        <a class="button" href="{{base}}/report">Report</a>
        </div>
        <div class="table-wrap">
        <table id="jobs">
        <thead><tr><th scope="col">Source email</th><th scope="col">Destination</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">Messages</th><th scope="col">Bytes</th><th scope="col">Rate</th><th scope="col">ETA</th><th scope="col">Last error</th><th scope="col">Actions</th></tr></thead>
        <tbody>
        {{#jobs}}
        <tr id="job-{{id}}" data-job="{{id}}">
        <td>{{source}}</td><td>{{target}}<br><small class="worker">{{#worker}}worker {{worker}}{{/worker}}</small></td>
        <td class="state" data-state="{{stateKey}}">{{state}}</td>
        <td><progress max="100" value="{{percent}}" aria-label="Progress of {{source}}">{{percent}}%</progress></td>
        <td class="messages">{{messages}}</td><td class="bytes">{{bytes}}</td><td class="rate">{{rate}}</td><td class="eta">{{eta}}</td>
        <td class="last-error">{{#error}}{{error}}<br><small>{{hint}}</small>{{/error}}</td>
        <td class="job-actions">
        <form method="post" action="{{base}}/jobs/{{id}}/pause"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" aria-label="Pause {{source}}">Pause</button></form>
        <form method="post" action="{{base}}/jobs/{{id}}/resume"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" aria-label="Resume {{source}}">Resume</button></form>
        <form method="post" action="{{base}}/jobs/{{id}}/stop"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" aria-label="Stop {{source}}">Stop</button></form>
        </td>
        </tr>
        {{/jobs}}
        </tbody>
        </table>
        </div>
        <section id="dns-section" aria-labelledby="dns-title"{{^dns}} hidden{{/dns}}><h2 id="dns-title">DNS of the batch's domains</h2><pre class="dns" id="dns">{{dns}}</pre></section>
        <p class="help">This page updates by itself. Keep its address: it is the only way back to this batch.</p>
        """

    static let notFound = """
        <h1>Not found</h1>
        <p>No batch has this address. Status pages are only reachable through the link shown after submitting.</p>
        <p><a href="/">Start a migration</a></p>
        """
}
