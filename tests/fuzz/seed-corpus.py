#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/)
from tests/fixtures and a few hand-written examples. Run it again after a
fixture changed; inputs the fuzzers found (crashes fixed since) live beside
the seeds as found-*, and this script leaves them alone."""
import gzip
import hashlib
import hmac
import json
import os
import shutil

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, '..', 'fixtures')
corpus = os.path.join(here, 'corpus')


def fixture(*path):
    with open(os.path.join(fixtures, *path), 'rb') as f:
        return f.read()


def lines(*path):
    return [l for l in fixture(*path).split(b'\n') if l.strip()]


def write(target, name, data):
    directory = os.path.join(corpus, target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, 'seed-' + name), 'wb') as f:
        f.write(data)


def reset(target):
    directory = os.path.join(corpus, target)
    if os.path.isdir(directory):
        for entry in os.listdir(directory):
            if entry.startswith('seed-'):
                os.remove(os.path.join(directory, entry))


def gz(data):
    return gzip.compress(data, mtime=0)


def as_array(records):
    return b'[' + b','.join(records) + b']'


types = {
    'entries': lines('etl', 'entries-messy.ndjson'),
    'treatments': lines('etl', 'treatments-messy.ndjson'),
    'devicestatus': lines('etl', 'devicestatus-flavours.ndjson'),
    'profile': lines('etl', 'profile-shapes.ndjson'),
}
types['treatments'] += [json.dumps(r, separators=(',', ':')).encode()
                        for r in json.loads(fixture('nightscout', 'treatments-mixed-offsets.json'))]

for t, records in types.items():
    target = 'ns_' + t
    reset(target)
    write(target, 'all.json', as_array(records))
    for i, record in enumerate(records):
        write(target, 'one-%02d.json' % i, as_array([record]))
    write(target, 'empty.json', '[]')

reset('ndjson_reader')
for t, records in types.items():
    plain = b'\n'.join(records) + b'\n'
    write('ndjson_reader', t + '.ndjson', plain)
    write('ndjson_reader', t + '.ndjson.gz', gz(plain))
    write('ndjson_reader', t + '-array.json', as_array(records))
half = len(types['entries']) // 2
write('ndjson_reader', 'members.ndjson.gz',
      gz(b'\n'.join(types['entries'][:half]) + b'\n') + gz(b'\n'.join(types['entries'][half:]) + b'\n'))
write('ndjson_reader', 'bom-crlf.ndjson', b'\xef\xbb\xbf' + b'\r\n'.join(types['profile']) + b'\r\n')

reset('record_mapper')
for prefix, t in ((b'\x00', 'entries'), (b'\x01', 'treatments'), (b'\x02', 'profile')):
    for i, record in enumerate(types[t]):
        write('record_mapper', '%s-%02d' % (t, i), prefix + record)
reset('devicestatus_mapper')
for i, record in enumerate(types['devicestatus']):
    write('devicestatus_mapper', 'devicestatus-%02d' % i, record)

reset('nstime')
times = ['2014-07-19T10:49:15.000-07:00', '2019-02-06T01:53:18.005+0100', '2016-10-23T11:45:22Z',
         '2016-10-20 12:27:28', 'Sat Oct 22 2016 11:45:22 GMT-0700 (PDT)', '1439785200000',
         '1477248820000.0', '1477248820', '"2024-01-31T12:00:00.000Z"', '2024-02-29T23:59:59.999+14:00']
for i, text in enumerate(times):
    write('nstime', '%02d' % i, text)

reset('siteurl')
urls = ['My-Site.herokuapp.com/api/v1/?token=abc#', 'https://nightscout.example.org',
        'http://ns.example.org:1337/prefix/', '"<https://a.ns.10be.de/#?token=xyz>"',
        'https://user:pw@site.example.org', 'ftp://site.example.org', 'https://127.0.0.1:8080/p1',
        'https://[::1]/', 'https://169.254.169.254/latest', 'site.example.org/api/v1/entries.json?count=10']
for i, url in enumerate(urls):
    write('siteurl', '%02d' % i, url)

reset('http_requests')
requests = [
    'GET /me?saved=1&x=%20y HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: openaps_session=abc; other=1\r\n\r\n',
    'POST /me/nightscout HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n'
    'Content-Length: 51\r\nX-Forwarded-For: 203.0.113.7, 2001:db8::1\r\n\r\ncsrf=abc&url=https%3A%2F%2Fns.example.org&share_nsf=on',
    'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 49\r\n\r\n'
    '{"email":"A@Example.org ","password":"correct-pw1"}',
    'GET /api/v1/export/entries?from=2024-01-01&to=2024-02-01&participants=1,2 HTTP/1.1\r\nHost: x\r\n'
    'Authorization: Bearer abc\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\na=b&c\r\n0\r\n\r\n',
]
for i, r in enumerate(requests):
    write('http_requests', '%02d' % i, r)

reset('oh_webhook')
secret = b'fuzz-webhook-secret'
bodies = [b'{"project_member_id":"12345678","erasure_requested":true,"timestamp":"2023-11-14T22:13:20.123456Z"}',
          json.dumps(json.dumps({'project_member_id': '23456789', 'erasure_requested': 'false',
                                 'timestamp': '2023-11-14T22:13:20Z'})).encode(),
          b'{"project_member_id":12345678}']
for i, body in enumerate(bodies):
    signature = b'sha1=' + hmac.new(secret, body, hashlib.sha1).hexdigest().encode()
    write('oh_webhook', 'signed-%02d' % i, signature + b'\n' + body)
    write('oh_webhook', 'unsigned-%02d' % i, b'sha1=' + b'0' * 40 + b'\n' + body)

reset('oh_api')
answers = [
    (0, '{"access_token":"a","refresh_token":"r","expires_in":36000,"scope":"read write"}'),
    (0, '{"project_member_id":"12345678","data":[{"id":42,"basename":"entries_2024-01.ndjson.gz",'
        '"created":"2024-01-31T12:00:00.123456Z","download_url":"https://s3.example.org/f?sig=x",'
        '"metadata":{"tags":["entries"],"description":"d"},"source":"direct-sharing-1","size":1234}],'
        '"next":"/api/direct-sharing/project/exchange-member/?page=2"}'),
    (1, '{"id":"77","url":"https://s3.example.org/upload?sig=y"}'),
    (0, '{"status":"ok","size":1234}'),
    (3, '{"error":"invalid_grant"}'),
    (4, '{"detail":"Invalid token."}'),
    (7, 'Request was throttled.'),
]
for i, (status, body) in enumerate(answers):
    write('oh_api', '%02d' % i, bytes([status]) + body.encode())

reset('survey_csv')
write('survey_csv', 'openaps.csv', fixture('etl', 'survey-openaps.csv'))
write('survey_csv', 'nightscout.csv', fixture('etl', 'survey-nightscout.csv'))

reset('entries_csv')
entries_csv = (b'user_id,id,sgv,direction,raw_json,date,utc_offset\n'
               b'7,a,120,Flat,"{""sgv"":120,""note"":""a, b\nc""}",2024-03-10T12:00:00Z,-300\n'
               b'7,b,,Flat,,2024-03-10T12:05:00Z,-300\n'
               b'7,c,250,Up,"{}",2024-03-10T12:10:00.123+01:00,60\n'
               b'8,d,39,Down,"{}",2024-03-11T00:00:00Z,0\n'
               b'8,e,401,Down,"{}",2024-03-11T00:05:00Z,\n')
write('entries_csv', 'entries.csv', entries_csv)
write('entries_csv', 'entries.csv.gz', gz(entries_csv))
write('entries_csv', 'crlf.csv', entries_csv.replace(b'\n', b'\r\n'))

reset('export_params')
queries = ['format=csv&from=2024-01-01&to=2024-02-01', 'format=ndjson&gzip=true&participants=1000000000000001,2',
           'from=2024-01-01T00:00:00Z&to=2024-01-01T12:00:00.000%2B02:00', 'start=2024-01-01&end=2024-01-02',
           'gzip=false&participants=', 'format=xml', 'from=2024-13-01']
for i, q in enumerate(queries):
    write('export_params', '%02d' % i, q)

reset('config_ini')
inis = ['[server]\nhttp_port = 8081\nhttp_address = 0.0.0.0\nlog_format = json\n',
        'OPENAPS_SECRET_KEY = "0123456789abcdef0123456789abcdef"\n'
        'database_url = postgresql://user:pw@db:5432/openaps\n',
        '[site]\nsite_trusted_proxies = "127.0.0.1, 10.0.0.0/8"\ningest_interval = 15m\netl_interval=90s\n',
        'unknown_setting = 1\n', 'secret_key_FILE = /nonexistent\n']
for i, ini in enumerate(inis):
    write('config_ini', '%02d.ini' % i, ini)

reset('site_http')
csrf = 'fuzz-csrf-token-0123456789abcdef'
form = 'csrf=' + csrf + '&url=https%3A%2F%2Fns.example.org%2F%3Ftoken%3Dabc&share_openaps=on&share_nsf=on&consent_version=v1'
webhook = bodies[0]
site = [
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /oauth/callback?code=abc&state=xyz HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: openaps_session=@SESSION@\r\n\r\n',
    'GET /me?saved=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: openaps_session=@SESSION@\r\n\r\n',
    'POST /me/nightscout HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: openaps_session=@SESSION@\r\n'
    'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s' % (len(form), form),
    'POST /logout HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: openaps_session=@SESSION@\r\n'
    'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\ncsrf=%s' % (len(csrf) + 5, csrf),
    'GET /privacy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /consent/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /static/site.css HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: "x"\r\n\r\n',
    'GET /me/delete HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: openaps_session=@SESSION@\r\n\r\n',
    'POST /me/rejoin HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: openaps_session=@SESSION@\r\n'
    'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\ncsrf=%s&answer=yes'
    % (len(csrf) + 16, csrf),
    'POST /deauth HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
    'X-OpenHumans-Webhooks-Signature: sha1=%s\r\nContent-Length: %d\r\n\r\n%s'
    % (hmac.new(secret, webhook, hashlib.sha1).hexdigest(), len(webhook), webhook.decode()),
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /nothing/here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /api/v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer fuzz-api-token-0123456789abcdef\r\n\r\n',
    'GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer fuzz-api-token-0123456789abcdef\r\n\r\n',
    'GET /api/v1/export/entries?from=2024-01-01&to=2024-02-01&format=ndjson HTTP/1.1\r\nHost: 127.0.0.1\r\n'
    'Authorization: Bearer fuzz-api-token-0123456789abcdef\r\n\r\n',
    'GET /api/v1/export/treatments/count?participants=1000000000000001 HTTP/1.1\r\nHost: 127.0.0.1\r\n'
    'Authorization: Bearer fuzz-api-token-0123456789abcdef\r\n\r\n',
    'GET /api/v1/admin/researchers?status=pending HTTP/1.1\r\nHost: 127.0.0.1\r\n'
    'Authorization: Bearer fuzz-api-token-0123456789abcdef\r\n\r\n',
    'GET /api/v1/admin/downloads HTTP/1.1\r\nHost: 127.0.0.1\r\n'
    'Authorization: Bearer fuzz-api-token-0123456789abcdef\r\n\r\n',
    'POST /api/v1/admin/researchers/1/approve HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
    'Authorization: Bearer fuzz-api-token-0123456789abcdef\r\nContent-Length: 15\r\n\r\n{"scope":"all"}',
    'POST /api/v1/applications HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 110\r\n\r\n'
    '{"email":"new@fuzz.invalid","name":"N","institution":"I","purpose":"research","password":"long-enough-pw"}     ',
    'POST /api/v1/applications/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
    'Content-Length: 45\r\n\r\n{"email":"new@fuzz.invalid","code":"123456"} ',
    'POST /api/v1/password/forgot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
    'Content-Length: 29\r\n\r\n{"email":"admin@fuzz.invalid"}',
    'POST /api/v1/logout HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer nothing\r\nContent-Length: 0\r\n\r\n',
    'GET /me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.9, 2001:db8::7\r\n'
    'Cookie: a=1; openaps_session=@SESSION@; b\r\n\r\n',
]
for i, r in enumerate(site):
    write('site_http', '%02d' % i, r)
