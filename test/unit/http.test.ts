import { BadRequestError, UnsupportedMediaTypeError } from '../../lib/errors';
import { requestFormat, responseFormat } from '../../lib/http/negotiate';
import { isPlainHost } from '../../lib/http/host';
import { firstSegment, splitLastSegment } from '../../lib/http/url';
import { pagingHeaders, parsePaging } from '../../lib/protocol/paging';

describe('responseFormat', () => {
  test.each([
    [undefined, undefined, 'xml'],
    [undefined, 'json', 'json'],
    ['*/*', 'json', 'json'],
    ['*/*', undefined, 'xml'],
    ['application/json', 'xml', 'json'],
    ['application/xml', 'json', 'xml'],
    ['text/xml;q=0.5, application/json', undefined, 'json'],
    ['application/json;q=0.2, application/xml;q=0.9', undefined, 'xml'],
    ['text/html', 'json', 'json'],
  ] as const)('Accept %j, suffix %j → %s', (accept, suffix, expected) => {
    expect(responseFormat(accept, suffix)).toBe(expected);
  });
});

describe('requestFormat', () => {
  test('content type, then suffix, then XML', () => {
    expect(requestFormat('application/json; charset=utf-8', 'xml')).toBe('json');
    expect(requestFormat('text/xml', undefined)).toBe('xml');
    expect(requestFormat(undefined, 'json')).toBe('json');
    expect(requestFormat(undefined, undefined)).toBe('xml');
  });

  test('other content types are 415', () => {
    expect(() => requestFormat('text/plain', undefined)).toThrow(UnsupportedMediaTypeError);
    expect(() => requestFormat('application/x-www-form-urlencoded', 'json')).toThrow(UnsupportedMediaTypeError);
  });
});

describe('splitLastSegment', () => {
  test.each([
    ['xStudents', { name: 'xStudents', matrix: {}, suffix: undefined }],
    ['xStudents.json', { name: 'xStudents', matrix: {}, suffix: 'json' }],
    ['xStudent.xml;zoneId=District;contextId=DEFAULT', { name: 'xStudent', matrix: { zoneId: 'District', contextId: 'DEFAULT' }, suffix: 'xml' }],
    ['xStudents;zoneId=Z%20one.json', { name: 'xStudents', matrix: { zoneId: 'Z one' }, suffix: 'json' }],
    ['abc;flag', { name: 'abc', matrix: { flag: '' }, suffix: undefined }],
  ])('%s', (segment, expected) => {
    expect(splitLastSegment(segment)).toEqual(expected);
  });

  test('repeated or badly encoded matrix parameters are 400', () => {
    expect(() => splitLastSegment('x;zoneId=a;zoneId=b')).toThrow(BadRequestError);
    expect(() => splitLastSegment('x;zoneId=%E0%A4%A')).toThrow(BadRequestError);
  });
});

describe('firstSegment', () => {
  test.each([
    ['/requests/xStudents', 'requests'],
    ['/environments/environment.json', 'environments'],
    ['/environments.json', 'environments'],
    ['/subscriptions;zoneId=x?a=b', 'subscriptions'],
    ['/queues?x=/requests', 'queues'],
    ['/', ''],
    ['', ''],
    ['/health', 'health'],
    ['/Requests/xStudents', 'Requests'],
  ])('%s', (url, expected) => {
    expect(firstSegment(url)).toBe(expected);
  });
});

describe('isPlainHost', () => {
  test.each(['localhost', 'localhost:3000', 'sis.example.org', 'SIS.example.org.', 'my_service:80', '127.0.0.1', '10.0.0.1:65535', '[::1]', '[::1]:3000', '[2001:db8::1]', '[::ffff:127.0.0.1]:80'])(
    '%s is plain',
    (host) => {
      expect(isPlainHost(host)).toBe(true);
    },
  );
  test.each(['', 'a/b', 'a:b', 'a:', 'a:65536', 'a:0x50', 'a@b', 'a b', 'a,b', 'a"b', '[::1', '[evil]', '[::1]x', '-a.example', 'a..b', 'x'.repeat(254), `${'x'.repeat(64)}.example`])(
    '%j is refused',
    (host) => {
      expect(isPlainHost(host)).toBe(false);
    },
  );
});

describe('paging', () => {
  const limits = { defaultPageSize: 100, maxPageSize: 1000 };

  test('defaults never give an unbounded page', () => {
    expect(parsePaging(undefined, undefined, limits)).toEqual({ page: 1, pageSize: 100 });
  });

  test.each(['0', '-1', 'abc', '1.5', ''])('page %j is a 400', (page) => {
    expect(() => parsePaging(page, '10', limits)).toThrow(BadRequestError);
  });

  test('a page size over the maximum is a 413', () => {
    expect(() => parsePaging('1', '1001', limits)).toThrow(expect.objectContaining({ status: 413 }));
  });

  test('headers', () => {
    expect(pagingHeaders({ page: 3, pageSize: 10 }, 5, 25)).toEqual({
      navigationPage: 3,
      navigationPageSize: 5,
      navigationCount: 25,
      navigationLastPage: 3,
    });
    expect(pagingHeaders({ page: 1, pageSize: 10 }, 0, 0).navigationLastPage).toBe(1);
  });
});
