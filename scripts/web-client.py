#!/usr/bin/python3
"""A minimal browser for tests of `mailferry serve` over HTTPS: `get URL CA` prints a page,
`download URL CA FILE` saves one;
`submit URL CA` loads the form (session cookie, CSRF token), posts the fields read as JSON from
stdin (passwords stay out of argv) as multipart/form-data, and prints the redirect's Location.
"""
import http.client, json, re, ssl, sys, urllib.parse

command, url, ca = sys.argv[1:4]
parts = urllib.parse.urlsplit(url)
context = ssl.create_default_context(cafile=ca)


def connection():
    return http.client.HTTPSConnection(parts.hostname, parts.port, context=context, timeout=30)


if command == "download":
    c = connection()
    c.request("GET", parts.path)
    response = c.getresponse()
    open(sys.argv[4], "wb").write(response.read())
    sys.exit(0 if response.status == 200 else 1)

if command == "get":
    c = connection()
    c.request("GET", parts.path or "/")
    response = c.getresponse()
    sys.stdout.buffer.write(response.read())
    sys.exit(0 if response.status == 200 else 1)

c = connection()
c.request("GET", "/")
response = c.getresponse()
page = response.read().decode()
cookie = response.getheader("Set-Cookie").split(";")[0]
csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
fields = json.load(sys.stdin)
fields["csrf"] = csrf
boundary = "----mailferry-client"
body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items())
body += f'--{boundary}\r\nContent-Disposition: form-data; name="csv"; filename=""\r\n\r\n\r\n--{boundary}--\r\n'
c = connection()
c.request("POST", "/", body=body.encode(), headers={
    "Content-Type": "multipart/form-data; boundary=" + boundary, "Cookie": cookie})
response = c.getresponse()
response.read()
if response.status != 303:
    sys.exit(f"status {response.status}")
print(response.getheader("Location"))
