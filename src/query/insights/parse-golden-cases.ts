/**
 * The golden table of the parser: AWS's documented example queries, each with the canonical text it
 * formats to (or, for the few that do not parse, the error). parse-golden.test.ts checks each row:
 * parse, format, compare; then that the canonical text parses to the same AST (spans aside).
 *
 * `doc` names the page a query is quoted from, exactly as the page prints it (line breaks and trailing
 * blanks included). Pages are under docs.aws.amazon.com/AmazonCloudWatch/latest/logs/ unless said
 * otherwise; "2019 revision" pages are the ones kept in the awsdocs/amazon-cloudwatch-logs-user-guide
 * repository (doc_source/). SAMPLES rows come from the current Sample queries page as reproduced,
 * query and caption, in a public copy of it; the live page was not reachable to compare against.
 * PARSE and STATS rows are as the HTML pages render them (on one line). Rows without `doc` are our
 * own, for syntax the pages describe in prose only. Checked by parse-golden.test.ts; when the
 * formatter changes on purpose, update `formatted` and review the diff.
 */
export interface GoldenParseCase {
  doc?: string;
  query: string;
  /** The canonical text (formatQuery) of the parsed query. */
  formatted?: string;
  /** For a query that must be rejected: the error's span and its message. */
  error?: { start: number; end: number; message: string };
  /** Why a row is as it is, where that is not obvious. */
  note?: string;
}

const SAMPLES = 'CWL_QuerySyntax-examples.html (Sample queries)';
const SAMPLES_2019 = 'CWL_QuerySyntax-examples, 2019 revision (Sample Queries)';
const SYNTAX_2019 = 'CWL_QuerySyntax, 2019 revision (CloudWatch Logs Insights Query Syntax)';
const FIELDS = 'CWL_QuerySyntax-Fields.html (fields)';
const FILTER = 'CWL_QuerySyntax-Filter.html (filter)';
const WHERE = 'CWL_QuerySyntax-Where.html (where)';
const DISPLAY = 'CWL_QuerySyntax-Display.html (display)';
const STATS = 'CWL_QuerySyntax-Stats.html (stats)';
const LIMIT = 'CWL_QuerySyntax-Limit.html (limit)';
const PARSE = 'CWL_QuerySyntax-Parse.html (parse)';
const DEDUP = 'CWL_QuerySyntax-Dedup.html (dedup)';
const DIFF = 'CWL_QuerySyntax-Diff.html (diff)';
const ALIAS = 'CWL_QuerySyntax-alias.html (Use aliases and comments in queries)';
const SOURCE = 'CWL_QuerySyntax-Source.html (SOURCE)';
const LOGCOMPARE = 'CWL_QuerySyntax-Logcompare.html (logcompare)';
const RELEVANTFIELDS = 'CWL_QuerySyntax-RelevantFields.html (relevantfields)';
const TIMESERIES = 'CWL_QuerySyntax-timeseries-functions.html (Time-series functions)';
const CIDRLOOKUP = 'CWL_QuerySyntax-Cidrlookup.html (cidrlookup)';
const OUTLIER = 'CWL_QuerySyntax-Outlier.html (outlier)';
const APPENDCOLS = 'CWL_QuerySyntax-Appendcols.html (appendcols)';
const UNNEST = 'CWL_QuerySyntax-Unnest.html (unnest)';
const ADDTOTALS = 'CWL_QuerySyntax-Addtotals.html (addtotals)';
const FILTERINDEX = 'CWL_QuerySyntax-FilterIndex.html (filterIndex)';
const FILTERINDEX_FILTER = 'CWL_QuerySyntax-FilterIndex-Filter.html (filterIndex compared to filter)';
const ANOMALY = 'CWL_QuerySyntax-Anomaly.html (anomaly)';

export const GOLDEN_PARSE: GoldenParseCase[] = [
  { doc: SAMPLES, query: "fields @timestamp, @message | sort @timestamp desc | limit 25", formatted: "fields @timestamp, @message | sort @timestamp desc | limit 25" },
  { doc: SAMPLES, query: "filter @message like /Exception/ \n| stats count(*) as exceptionCount by bin(1h)\n| sort exceptionCount desc", formatted: "filter @message like /Exception/ | stats count(*) as exceptionCount by bin(1h) | sort exceptionCount desc" },
  { doc: SAMPLES, query: "fields @message | filter @message not like /Exception/", formatted: "fields @message | filter @message not like /Exception/" },
  { doc: SAMPLES, query: "fields @timestamp, server, severity, message \n| sort @timestamp asc \n| dedup server", formatted: "fields @timestamp, server, severity, message | sort @timestamp asc | dedup server" },
  { doc: SAMPLES, query: "fields @timestamp, server, severity, message \n| sort @timestamp desc \n| dedup server, severity", formatted: "fields @timestamp, server, severity, message | sort @timestamp desc | dedup server, severity" },
  { doc: SAMPLES, query: "filter @type = \"REPORT\"\n| stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB,\n    min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB,\n    avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB,\n    max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,\n    provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB", formatted: "filter @type = \"REPORT\" | stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB, min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB, avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB, max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB, provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB" },
  { doc: SAMPLES, query: "filter @type = \"REPORT\" |\nstats avg(@duration), max(@duration), min(@duration) by bin(5m)", formatted: "filter @type = \"REPORT\" | stats avg(@duration), max(@duration), min(@duration) by bin(5m)" },
  { doc: SAMPLES, query: "fields @timestamp, @requestId, @message, @logStream \n| filter @type = \"REPORT\" and @duration > 1000\n| sort @timestamp desc\n| dedup @requestId \n| limit 20", formatted: "fields @timestamp, @requestId, @message, @logStream | filter @type = \"REPORT\" and @duration > 1000 | sort @timestamp desc | dedup @requestId | limit 20" },
  { doc: SAMPLES, query: "stats sum(packets) as packetsTransferred by srcAddr, dstAddr\n| sort packetsTransferred  desc\n| limit 15", formatted: "stats sum(packets) as packetsTransferred by srcAddr, dstAddr | sort packetsTransferred desc | limit 15" },
  { doc: SAMPLES, query: "filter isIpv4InSubnet(srcAddr, \"192.0.2.0/24\")\n| stats sum(bytes) as bytesTransferred by dstAddr\n| sort bytesTransferred desc\n| limit 15", formatted: "filter isIpv4InSubnet(srcAddr, \"192.0.2.0/24\") | stats sum(bytes) as bytesTransferred by dstAddr | sort bytesTransferred desc | limit 15" },
  { doc: SAMPLES, query: "filter protocol=17 | stats count(*) by srcAddr", formatted: "filter protocol = 17 | stats count(*) by srcAddr" },
  { doc: SAMPLES, query: "filter logStatus=\"SKIPDATA\"\n| stats count(*) by bin(1h) as t\n| sort t", formatted: "filter logStatus = \"SKIPDATA\" | stats count(*) by bin(1h) as t | sort t" },
  { doc: SAMPLES, query: "fields @timestamp, srcAddr, dstAddr, srcPort, dstPort, protocol, bytes \n| filter logStream = 'vpc-flow-logs' and interfaceId = 'eni-0123456789abcdef0' \n| sort @timestamp desc \n| dedup srcAddr, dstAddr, srcPort, dstPort, protocol \n| limit 20", formatted: "fields @timestamp, srcAddr, dstAddr, srcPort, dstPort, protocol, bytes | filter logStream = 'vpc-flow-logs' and interfaceId = 'eni-0123456789abcdef0' | sort @timestamp desc | dedup srcAddr, dstAddr, srcPort, dstPort, protocol | limit 20" },
  { doc: SAMPLES, query: "stats count(*) by queryType, bin(1h)", formatted: "stats count(*) by queryType, bin(1h)" },
  { doc: SAMPLES, query: "stats count(*) as numRequests by resolverIp\n| sort numRequests desc\n| limit 10", formatted: "stats count(*) as numRequests by resolverIp | sort numRequests desc | limit 10" },
  { doc: SAMPLES, query: "filter responseCode=\"SERVFAIL\" | stats count(*) by queryName", formatted: "filter responseCode = \"SERVFAIL\" | stats count(*) by queryName" },
  { doc: SAMPLES, query: "stats count(*) by eventSource, eventName, awsRegion", formatted: "stats count(*) by eventSource, eventName, awsRegion" },
  { doc: SAMPLES, query: "filter (eventName=\"StartInstances\" or eventName=\"StopInstances\") and awsRegion=\"us-east-2\"", formatted: "filter (eventName = \"StartInstances\" or eventName = \"StopInstances\") and awsRegion = \"us-east-2\"" },
  { doc: SAMPLES, query: "filter eventName=\"CreateUser\"\n| fields awsRegion, requestParameters.userName, responseElements.user.arn", formatted: "filter eventName = \"CreateUser\" | fields awsRegion, requestParameters.userName, responseElements.user.arn" },
  { doc: SAMPLES, query: "filter eventName=\"UpdateTrail\" and ispresent(errorCode)\n| stats count(*) by errorCode, errorMessage", formatted: "filter eventName = \"UpdateTrail\" and ispresent(errorCode) | stats count(*) by errorCode, errorMessage" },
  { doc: SAMPLES, query: "filter tlsDetails.tlsVersion in [ \"TLSv1\", \"TLSv1.1\" ]\n| stats count(*) as numOutdatedTlsCalls by userIdentity.accountId, recipientAccountId, eventSource, eventName, awsRegion, tlsDetails.tlsVersion, tlsDetails.cipherSuite, userAgent\n| sort eventSource, eventName, awsRegion, tlsDetails.tlsVersion", formatted: "filter tlsDetails.tlsVersion in [\"TLSv1\", \"TLSv1.1\"] | stats count(*) as numOutdatedTlsCalls by userIdentity.accountId, recipientAccountId, eventSource, eventName, awsRegion, tlsDetails.tlsVersion, tlsDetails.cipherSuite, userAgent | sort eventSource, eventName, awsRegion, tlsDetails.tlsVersion" },
  { doc: SAMPLES, query: "filter tlsDetails.tlsVersion in [ \"TLSv1\", \"TLSv1.1\" ]\n| stats count(*) as numOutdatedTlsCalls by eventSource\n| sort numOutdatedTlsCalls desc", formatted: "filter tlsDetails.tlsVersion in [\"TLSv1\", \"TLSv1.1\"] | stats count(*) as numOutdatedTlsCalls by eventSource | sort numOutdatedTlsCalls desc" },
  { doc: SAMPLES, query: "fields @timestamp, status, ip, path, httpMethod\n| filter status>=400 and status<=499\n| sort @timestamp desc\n| limit 10", formatted: "fields @timestamp, status, ip, path, httpMethod | filter status >= 400 and status <= 499 | sort @timestamp desc | limit 10" },
  { doc: SAMPLES, query: "fields @timestamp, status, ip, path, httpMethod, responseLatency\n| sort responseLatency desc\n| limit 10", formatted: "fields @timestamp, status, ip, path, httpMethod, responseLatency | sort responseLatency desc | limit 10" },
  { doc: SAMPLES, query: "stats count(*) as requestCount by path\n| sort requestCount desc\n| limit 10", formatted: "stats count(*) as requestCount by path | sort requestCount desc | limit 10" },
  { doc: SAMPLES, query: "filter status=200\n| stats avg(integrationLatency), max(integrationLatency), \nmin(integrationLatency) by bin(1m)", formatted: "filter status = 200 | stats avg(integrationLatency), max(integrationLatency), min(integrationLatency) by bin(1m)" },
  { doc: SAMPLES, query: "filter (dstAddr like 'x.x.x.x' and srcAddr like 'y.y.') \n| stats sum(bytes) as bytesTransferred by srcAddr, dstAddr\n| sort bytesTransferred desc\n| limit 10", formatted: "filter dstAddr like 'x.x.x.x' and srcAddr like 'y.y.' | stats sum(bytes) as bytesTransferred by srcAddr, dstAddr | sort bytesTransferred desc | limit 10" },
  { doc: SAMPLES, query: "filter (dstAddr like 'x.x.x.x' and srcAddr like 'y.y.') or (srcAddr like 'xxx.xx.xx.xx' and dstAddr like 'y.y.')\n| stats sum(bytes) as bytesTransferred by srcAddr, dstAddr\n| sort bytesTransferred desc\n| limit 10 ", formatted: "filter dstAddr like 'x.x.x.x' and srcAddr like 'y.y.' or srcAddr like 'xxx.xx.xx.xx' and dstAddr like 'y.y.' | stats sum(bytes) as bytesTransferred by srcAddr, dstAddr | sort bytesTransferred desc | limit 10" },
  { doc: SAMPLES, query: "filter (srcAddr like 'x.x.x.x' and dstAddr not like 'y.y.') \n| stats sum(bytes) as bytesTransferred by srcAddr, dstAddr\n| sort bytesTransferred desc\n| limit 10", formatted: "filter srcAddr like 'x.x.x.x' and dstAddr not like 'y.y.' | stats sum(bytes) as bytesTransferred by srcAddr, dstAddr | sort bytesTransferred desc | limit 10" },
  { doc: SAMPLES, query: "fields @timestamp, remoteIP, request, status, filename| sort @timestamp desc\n| filter filename=\"/var/www/html/admin\"\n| limit 20", formatted: "fields @timestamp, remoteIP, request, status, filename | sort @timestamp desc | filter filename = \"/var/www/html/admin\" | limit 20" },
  { doc: SAMPLES, note: "The page prints `referrer= http://...` unquoted: not a value in any form the syntax pages give.", query: "fields @timestamp, remoteIP, method, status\n| filter status=\"200\" and referrer= http://34.250.27.141/ and method= \"GET\"\n| stats count_distinct(remoteIP) as UniqueVisits\n| limit 10", error: { start: 84, end: 85, message: "unexpected symbol found : at line 2 and position 40: expected '|' or the end of the query after 'http'" } },
  { doc: SAMPLES, query: "fields @timestamp, function, process, message\n| filter message like \"resuming normal operations\"\n| sort @timestamp desc\n| limit 20", formatted: "fields @timestamp, function, process, message | filter message like \"resuming normal operations\" | sort @timestamp desc | limit 20" },
  { doc: SAMPLES, query: "fields @timestamp, @message\n| stats count(*) as numberOfEvents by `detail-type`\n| sort numberOfEvents desc", formatted: "fields @timestamp, @message | stats count(*) as numberOfEvents by `detail-type` | sort numberOfEvents desc" },
  { doc: SAMPLES, query: "fields @timestamp, @message, @duration \n| sort @duration desc \n| limit 10", formatted: "fields @timestamp, @message, @duration | sort @duration desc | limit 10" },
  { doc: SAMPLES, query: "filter @message like /ERROR/\n| pattern @message", formatted: "filter @message like /ERROR/ | pattern @message" },
  { doc: SAMPLES, query: "filter @message like /ERROR/\n| parse @message 'Failed to do: *' as cause\n| pattern cause\n| sort @sampleCount asc", formatted: "filter @message like /ERROR/ | parse @message 'Failed to do: *' as cause | pattern cause | sort @sampleCount asc" },
  { doc: SAMPLES, query: "FIELDS strlen(@message) AS message_length\n| STATS sum(message_length)/1024/1024 as logs_mb BY bin(5m)\n| STATS max(logs_mb) AS peak_ingest_mb, \n        min(logs_mb) AS min_ingest_mb, \n        avg(logs_mb) AS avg_ingest_mb", formatted: "fields strlen(@message) as message_length | stats sum(message_length) / 1024 / 1024 as logs_mb by bin(5m) | stats max(logs_mb) as peak_ingest_mb, min(logs_mb) as min_ingest_mb, avg(logs_mb) as avg_ingest_mb" },
  { doc: SAMPLES, query: "STATS count_distinct(client_ip) AS session_ips, \n      count(*) AS requests BY session_id, client_platform\n| FILTER session_ips > 1\n| STATS count(*) AS multiple_ip_sessions, \n        sum(requests) / count(*) AS avg_session_requests BY client_platform", formatted: "stats count_distinct(client_ip) as session_ips, count(*) as requests by session_id, client_platform | filter session_ips > 1 | stats count(*) as multiple_ip_sessions, sum(requests) / count(*) as avg_session_requests by client_platform" },
  { doc: SAMPLES, query: "FIELDS strlen(@message) AS message_length\n| STATS sum(message_length) / 1024 / 1024 AS logs_mb BY BIN(5m) as @t\n| STATS max(logs_mb) AS peak_ingest_mb, \n        min(logs_mb) AS min_ingest_mb,\n        avg(logs_mb) AS avg_ingest_mb BY dateceil(@t, 10m)", formatted: "fields strlen(@message) as message_length | stats sum(message_length) / 1024 / 1024 as logs_mb by BIN(5m) as @t | stats max(logs_mb) as peak_ingest_mb, min(logs_mb) as min_ingest_mb, avg(logs_mb) as avg_ingest_mb by dateceil(@t, 10m)" },
  { doc: SAMPLES, query: "fields @message\n    | parse @message \"* [*] *\" as loggingTime, loggingType, loggingMessage\n    | filter loggingType IN [\"ERROR\", \"INFO\"]\n    | display loggingMessage, loggingType = \"ERROR\" as isError", formatted: "fields @message | parse @message \"* [*] *\" as loggingTime, loggingType, loggingMessage | filter loggingType in [\"ERROR\", \"INFO\"] | display loggingMessage, loggingType = \"ERROR\" as isError" },
  { doc: SAMPLES_2019, query: "filter @type = \"REPORT\"\n| stats max(@memorySize / 1024 / 1024) as provisonedMemoryMB,\n    min(@maxMemoryUsed / 1024 / 1024) as smallestMemoryRequestMB,\n    avg(@maxMemoryUsed / 1024 / 1024) as avgMemoryUsedMB,\n    max(@maxMemoryUsed / 1024 / 1024) as maxMemoryUsedMB,\n    provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB", formatted: "filter @type = \"REPORT\" | stats max(@memorySize / 1024 / 1024) as provisonedMemoryMB, min(@maxMemoryUsed / 1024 / 1024) as smallestMemoryRequestMB, avg(@maxMemoryUsed / 1024 / 1024) as avgMemoryUsedMB, max(@maxMemoryUsed / 1024 / 1024) as maxMemoryUsedMB, provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB" },
  { doc: SAMPLES_2019, query: "filter type = \"REPORT\" |\nstats avg(@duration), max(@duration), min(@duration) by bin(5m)", formatted: "filter type = \"REPORT\" | stats avg(@duration), max(@duration), min(@duration) by bin(5m)" },
  { doc: SAMPLES_2019, query: "filter srcAddr= \"192.0.2.0/24\"\n| stats sum(bytes) as bytesTransferred by dstAddr\n| sort bytesTransferred  desc\n| limit 15", formatted: "filter srcAddr = \"192.0.2.0/24\" | stats sum(bytes) as bytesTransferred by dstAddr | sort bytesTransferred desc | limit 15" },
  { doc: SAMPLES_2019, query: "filter (eventName=\"StartInstances\" or eventName=\"StopInstances\") and region=\"us-east-2\"", formatted: "filter (eventName = \"StartInstances\" or eventName = \"StopInstances\") and region = \"us-east-2\"" },
  { doc: SYNTAX_2019, query: "fields `foo-bar`, action, abs(f3-f4)", formatted: "fields `foo-bar`, action, abs(f3 - f4)" },
  { doc: SYNTAX_2019, query: "fields f1, f2, f3 | filter (duration>2000)", formatted: "fields f1, f2, f3 | filter duration > 2000" },
  { doc: SYNTAX_2019, query: "filter (duration>2000)", formatted: "filter duration > 2000" },
  { doc: SYNTAX_2019, query: "fields f1, f2 | filter (f1=10 or f3>25)", formatted: "fields f1, f2 | filter f1 = 10 or f3 > 25" },
  { doc: SYNTAX_2019, query: "fields f1 | filter statusCode like /2\\d\\d/", formatted: "fields f1 | filter statusCode like /2\\d\\d/" },
  { doc: SYNTAX_2019, query: "stats avg (f1) by f2", formatted: "stats avg(f1) by f2" },
  { doc: SYNTAX_2019, query: "fields f1, f2, f3 | sort f1 desc", formatted: "fields f1, f2, f3 | sort f1 desc" },
  { doc: SYNTAX_2019, query: "fields f1, f2 | sort @timestamp desc | limit 25", formatted: "fields f1, f2 | sort @timestamp desc | limit 25" },
  { doc: SYNTAX_2019, query: "parse @message \"user=*, method:*, latency := *\" as @user,\n                                        @method, @latency | stats avg(@latency) by @method,\n                                        @user", formatted: "parse @message \"user=*, method:*, latency := *\" as @user, @method, @latency | stats avg(@latency) by @method, @user" },
  { doc: SYNTAX_2019, query: "parse @message /(?<time>[0-9]{10}\\.[0-9]{1,3}) .* (?<code>[A-Z_]+\\/[0-9]{3}) (?<url>[a-zA-Z.]+:[0-9]{1,5})/", formatted: "parse @message /(?<time>[0-9]{10}\\.[0-9]{1,3}) .* (?<code>[A-Z_]+\\/[0-9]{3}) (?<url>[a-zA-Z.]+:[0-9]{1,5})/" },
  { doc: SYNTAX_2019, query: "fields f1, f2, f3 | filter f1 like /Exception/", formatted: "fields f1, f2, f3 | filter f1 like /Exception/" },
  { doc: SYNTAX_2019, query: "fields f1, f2, f3 | filter f1 =~ /Exception/", formatted: "fields f1, f2, f3 | filter f1 =~ /Exception/" },
  { doc: SYNTAX_2019, query: "fields f1, f2, f3 | filter f1 like \"Exception\"", formatted: "fields f1, f2, f3 | filter f1 like \"Exception\"" },
  { doc: SYNTAX_2019, query: "fields f1, f2, f3 | filter f1 like /(?i)Exception/ ", formatted: "fields f1, f2, f3 | filter f1 like /(?i)Exception/" },
  { doc: SYNTAX_2019, query: "fields f1, f2, f3 | filter f1 =~ /^(?i)Exception$/", formatted: "fields f1, f2, f3 | filter f1 =~ /^(?i)Exception$/" },
  { doc: SYNTAX_2019, query: "fields abs(myField) as AbsoluteValuemyField, myField2", formatted: "fields abs(myField) as AbsoluteValuemyField, myField2" },
  { doc: SYNTAX_2019, query: "stats avg(f1) as myAvgF1 | sort myAvgF1 desc", formatted: "stats avg(f1) as myAvgF1 | sort myAvgF1 desc" },
  { doc: FIELDS, query: "fields @timestamp, @message\n| sort @timestamp desc\n| limit 20", formatted: "fields @timestamp, @message | sort @timestamp desc | limit 20" },
  { doc: FIELDS, query: "fields ispresent as isRes", formatted: "fields ispresent as isRes" },
  { doc: FILTER, query: "fields @timestamp, @message\n| filter (range>3000)\n| sort @timestamp desc\n| limit 20", formatted: "fields @timestamp, @message | filter range > 3000 | sort @timestamp desc | limit 20" },
  { doc: FILTER, query: "fields @timestamp, @message\n| filter (range>3000 and accountId=123456789012)\n| sort @timestamp desc\n| limit 20", formatted: "fields @timestamp, @message | filter range > 3000 and accountId = 123456789012 | sort @timestamp desc | limit 20" },
  { doc: WHERE, query: "fields @timestamp, @message\n| where @message like /error/", formatted: "fields @timestamp, @message | filter @message like /error/" },
  { doc: DISPLAY, query: "fields @message\n| parse @message \"[*] *\" as loggingType, loggingMessage\n| filter loggingType = \"ERROR\"\n| display loggingMessage", formatted: "fields @message | parse @message \"[*] *\" as loggingType, loggingMessage | filter loggingType = \"ERROR\" | display loggingMessage" },
  { doc: STATS, query: "stats avg(myfield1) by bin(5m)", formatted: "stats avg(myfield1) by bin(5m)" },
  { doc: STATS, query: "stats avg(myfield1), min(myfield2), max(myfield3) by bin(5m)", formatted: "stats avg(myfield1), min(myfield2), max(myfield3) by bin(5m)" },
  { doc: LIMIT, query: "fields @timestamp, @message | sort @timestamp desc | limit 25", formatted: "fields @timestamp, @message | sort @timestamp desc | limit 25" },
  { doc: LIMIT, query: "fields @message | limit any 1", formatted: "fields @message | limit any 1" },
  { doc: PARSE, query: "parse @message \"user=*, method:*, latency := *\" as @user, @method, @latency | stats avg(@latency) by @method, @user", formatted: "parse @message \"user=*, method:*, latency := *\" as @user, @method, @latency | stats avg(@latency) by @method, @user" },
  { doc: PARSE, query: "parse @logStream \"*/*/*/*\" as env, service, instance, shard | stats count(*) by env, service", formatted: "parse @logStream \"*/*/*/*\" as env, service, instance, shard | stats count(*) by env, service" },
  { doc: PARSE, query: "parse @message \"url=*\" as url | parse url \"/api/*/users/*\" as apiVersion, userId | display apiVersion, userId", formatted: "parse @message \"url=*\" as url | parse url \"/api/*/users/*\" as apiVersion, userId | display apiVersion, userId" },
  { doc: PARSE, query: "parse @message /user=(?<user2>.*?), method:(?<method2>.*?), latency := (?<latency2>.*?)/ | stats avg(latency2) by @method2, @user2", formatted: "parse @message /user=(?<user2>.*?), method:(?<method2>.*?), latency := (?<latency2>.*?)/ | stats avg(latency2) by @method2, @user2" },
  { doc: PARSE, query: "parse @message /(?<NetworkInterface>eni-.*?) / | display NetworkInterface, @message", formatted: "parse @message /(?<NetworkInterface>eni-.*?) / | display NetworkInterface, @message" },
  { doc: DEDUP, query: "fields @timestamp, server, severity, message \n| sort @timestamp desc \n| dedup server", formatted: "fields @timestamp, server, severity, message | sort @timestamp desc | dedup server" },
  { doc: DIFF, query: "diff", formatted: "diff" },
  { doc: DIFF, query: "diff previousDay", formatted: "diff previousDay" },
  { doc: DIFF, query: "diff previousWeek", formatted: "diff previousWeek" },
  { doc: DIFF, query: "diff previousMonth", formatted: "diff previousMonth" },
  { doc: ALIAS, query: "fields @timestamp, @message, accountId as ID\n| sort @timestamp desc\n| limit 20", formatted: "fields @timestamp, @message, accountId as ID | sort @timestamp desc | limit 20" },
  { doc: ALIAS, query: "stats count(*) by duration as time \n| sort time desc", formatted: "stats count(*) by duration as time | sort time desc" },
  { doc: ALIAS, query: "fields @timestamp, @message, accountId\n# | filter accountId not like \"7983124201998\"\n| sort @timestamp desc\n| limit 20", formatted: "fields @timestamp, @message, accountId | sort @timestamp desc | limit 20" },
  { doc: SOURCE, query: "SOURCE logGroups()", formatted: "SOURCE logGroups()" },
  { doc: SOURCE, query: "SOURCE logGroups(accountIdentifiers:['111122223333'])", formatted: "SOURCE logGroups(accountIdentifiers: ['111122223333'])" },
  { doc: SOURCE, query: "SOURCE logGroups(namePrefix: ['namePrefix1', 'namePrefix2'])", formatted: "SOURCE logGroups(namePrefix: ['namePrefix1', 'namePrefix2'])" },
  { doc: SOURCE, query: "SOURCE logGroups(class: ['INFREQUENT_ACCESS'])", formatted: "SOURCE logGroups(class: 'INFREQUENT_ACCESS')" },
  { doc: SOURCE, note: "As the page prints it: the closing parenthesis is missing.", query: "SOURCE logGroups(accountIdentifiers:['111122223333'], namePrefix: ['namePrefix1', 'namePrefix2']", error: { start: 96, end: 96, message: "unexpected symbol found <EOF> at line 1 and position 96: expected ',' or ')' to end logGroups(...) after ']'" } },
  { doc: SOURCE, query: "SOURCE dataSource(['amazon_vpc.flow'])", formatted: "SOURCE dataSource(['amazon_vpc.flow'])" },
  { doc: SOURCE, query: "SOURCE dataSource(['amazon_vpc.flow']) logGroups(namePrefix: ['namePrefix1'])", formatted: "SOURCE dataSource(['amazon_vpc.flow']) logGroups(namePrefix: ['namePrefix1'])" },
  { note: "Log group tags: the SOURCE row of the command table names them; the form is the one public queries use.", query: 'SOURCE logGroupTags([{"key":"Application","values":["checkout"]}])\n| fields @timestamp, @message, @log', formatted: "SOURCE logGroupTags([{key: 'Application', values: ['checkout']}]) | fields @timestamp, @message, @log" },
  { note: "CWL_QuerySyntax-operations-functions (Structure types): the bracket access operator; the index is a step of the field's path.", query: "fields jsonParse(@message) as json_message\n| filter json_message.users[1].action = \"PutData\"", formatted: "fields jsonParse(@message) as json_message | filter json_message.users.1.action = \"PutData\"" },
  { doc: UNNEST, query: "fields jsonParse(@message) as json_message \n| unnest json_message.events into event\n| display event.name", formatted: "fields jsonParse(@message) as json_message | unnest json_message.events into event | display event.name" },
  { doc: UNNEST, query: "fields jsonParse(@message) as js \n| unnest js.accounts into account \n| filter account.type = \"internal\"", formatted: "fields jsonParse(@message) as js | unnest js.accounts into account | filter account.type = \"internal\"" },
  { doc: UNNEST, query: "fields jsonParse(trimmedData) as accounts \n| unnest accounts into account \n| stats sum(account.droppedSpans) as n by account.accountId \n| sort n desc \n| limit 10", formatted: "fields jsonParse(trimmedData) as accounts | unnest accounts into account | stats sum(account.droppedSpans) as n by account.accountId | sort n desc | limit 10" },
  { query: "fields jsonParse(@message) as js | unnest js.events", error: { start: 51, end: 51, message: "unexpected symbol found <EOF> at line 1 and position 51: expected 'into' and a name for each element after 'js.events'" } },
  { doc: ADDTOTALS, query: "# Row totals (default) - adds a Total column summing all numeric fields\nfields a, b\n| addtotals", formatted: "fields a, b | addtotals" },
  { doc: ADDTOTALS, query: "# Sum only specific fields\nfields price, tax, qty\n| addtotals price, tax", formatted: "fields price, tax, qty | addtotals price, tax" },
  { doc: ADDTOTALS, query: "# Custom total column name\nfields val\n| addtotals fieldname=RowSum", formatted: "fields val | addtotals fieldname=RowSum" },
  { doc: ADDTOTALS, query: "# Column totals - adds a Summary row at the bottom\nfields x\n| addtotals col=true x", formatted: "fields x | addtotals col=true x" },
  { query: "fields a | addtotals row=maybe", error: { start: 25, end: 30, message: "unexpected symbol found maybe at line 1 and position 25: expected true or false after 'row='" } },
  { query: "fields a | ADDTOTALS COL=True row=FALSE FieldName=`Grand total` a", formatted: "fields a | addtotals fieldname=`Grand total` row=false col=true a" },
  { doc: FILTERINDEX, query: "fields @timestamp, @message\n| filterIndex IPaddress = \"198.51.100.0\"\n| limit 20", formatted: "fields @timestamp, @message | filterIndex IPaddress = \"198.51.100.0\" | limit 20" },
  { doc: FILTERINDEX, query: "fields @timestamp, @message \n| filterIndex IPaddress in [\"198.51.100.0\", \"198.51.100.1\"]\n| limit 20", formatted: "fields @timestamp, @message | filterIndex IPaddress in [\"198.51.100.0\", \"198.51.100.1\"] | limit 20" },
  { doc: FILTERINDEX_FILTER, query: "fields @timestamp, @message | filterIndex IPaddress = \"198.51.100.0\" | limit 20", formatted: "fields @timestamp, @message | filterIndex IPaddress = \"198.51.100.0\" | limit 20" },
  { note: "filterIndex takes the two forms the page gives: = and in.", query: "filterIndex IPaddress != \"198.51.100.0\"", error: { start: 22, end: 24, message: "unexpected symbol found != at line 1 and position 22: expected '=' or 'in' after the indexed field after 'IPaddress'" } },
  { note: "filterIndex compares with values, not expressions.", query: "filterIndex requestId = @requestId", error: { start: 24, end: 34, message: "unexpected symbol found @requestId at line 1 and position 24: expected a string or number value for filterIndex after '='" } },
  { doc: ANOMALY, query: "fields @timestamp, @message\n| pattern @message\n| anomaly", formatted: "fields @timestamp, @message | pattern @message | anomaly" },
  { doc: ANOMALY, query: "fields @timestamp, @message\n| filter @type = \"REPORT\"\n| pattern @message\n| anomaly", formatted: "fields @timestamp, @message | filter @type = \"REPORT\" | pattern @message | anomaly" },
  { doc: ANOMALY, query: "fields @timestamp, @message\n| filter @type = \"ERROR\"\n| pattern @message\n| anomaly\n| sort @timestamp desc", formatted: "fields @timestamp, @message | filter @type = \"ERROR\" | pattern @message | anomaly | sort @timestamp desc" },
  { note: "anomaly takes no arguments: \"The command does not require additional parameters\".", query: "pattern @message | anomaly @message", error: { start: 27, end: 35, message: "unexpected symbol found @message at line 1 and position 27: expected '|' or the end of the query after 'anomaly'" } },
  { doc: RELEVANTFIELDS, query: "relevantfields where Time > 400", formatted: "relevantfields where Time > 400" },
  { doc: RELEVANTFIELDS, query: "relevantfields Controller, Path, Service where Time > 400", formatted: "relevantfields Controller, Path, Service where Time > 400" },
  { doc: RELEVANTFIELDS, query: "relevantfields where Duration > 5000", formatted: "relevantfields where Duration > 5000" },
  { note: "relevantfields needs its condition after where.", query: "relevantfields Controller, Path", error: { start: 31, end: 31, message: "unexpected symbol found <EOF> at line 1 and position 31: expected ',' or 'where' and the condition after 'Path'" } },
  { note: "A field called where is written in backquotes.", query: "relevantfields `where` where x = 1", formatted: "relevantfields `where` where x = 1" },
  { doc: LOGCOMPARE, query: "SOURCE lg start=-1d end=now\n| logcompare timeshift 7d", formatted: "SOURCE \"lg\" START=-1d END=0s | logcompare timeshift 7d" },
  { query: "pattern @message | LOGCOMPARE TIMESHIFT 2h", formatted: "pattern @message | logcompare timeshift 2h" },
  { query: "logcompare 7d", error: { start: 11, end: 13, message: "unexpected symbol found 7d at line 1 and position 11: expected timeshift and a duration, such as timeshift 7d after 'logcompare'" } },
  { query: "logcompare timeshift 0d", error: { start: 21, end: 23, message: "unexpected symbol found 0d at line 1 and position 21: expected a duration greater than zero" } },
  { query: "logcompare timeshift seven", error: { start: 21, end: 26, message: "unexpected symbol found seven at line 1 and position 21: expected a duration to shift the baseline back by, such as 7d or 1h after 'timeshift'" } },
  // stats ... by bin() offset (CWL_QuerySyntax-timeseries-functions.html, "offset")
  { doc: TIMESERIES, query: "stats count(*) by bin(5m) offset 1h", formatted: "stats count(*) by bin(5m) offset 1h" },
  { doc: TIMESERIES, query: "stats avg(latency) by bin(1m) offset 1d", formatted: "stats avg(latency) by bin(1m) offset 1d" },
  { query: "stats count(*) by bin(5m) OFFSET 90min | sort `bin(5m)`", formatted: "stats count(*) by bin(5m) offset 90min | sort `bin(5m)`" },
  // cidrlookup, outlier, appendcols (CWL_QuerySyntax-Cidrlookup.html, -Outlier.html, -Appendcols.html)
  { doc: CIDRLOOKUP, query: "fields @timestamp, srcAddr\n| cidrlookup net_table srcAddr OUTPUT region, owner, datacenter", formatted: "fields @timestamp, srcAddr | cidrlookup net_table srcAddr OUTPUT region, owner, datacenter" },
  { query: "CIDRLOOKUP nets ip AS block outputnew region AS r, `output`", formatted: "cidrlookup nets ip as block OUTPUTNEW region as r, `output`" },
  { query: "cidrlookup nets ip region", error: { start: 19, end: 25, message: "unexpected symbol found region at line 1 and position 19: expected 'AS' and the CIDR column, or OUTPUT or OUTPUTNEW and the fields to add after 'ip'" } },
  { query: "cidrlookup nets OUTPUT region", error: { start: 16, end: 22, message: "unexpected symbol found OUTPUT at line 1 and position 16: expected the field that holds the IP address after 'nets'" } },
  { query: "cidrlookup nets ip OUTPUT", error: { start: 25, end: 25, message: "unexpected symbol found <EOF> at line 1 and position 25: expected a field of the lookup table to add after 'OUTPUT'" } },
  { doc: OUTLIER, query: "fields @timestamp, cpu, memory\n| outlier action=remove param=3.0 uselower=true mark=true cpu memory", formatted: "fields @timestamp, cpu, memory | outlier action=remove param=3.0 uselower=true mark=true cpu memory" },
  { query: "outlier MARK=false Action=transform x, y z", formatted: "outlier action=transform mark=false x y z" },
  { query: "outlier action=clamp x", error: { start: 15, end: 20, message: "unexpected symbol found clamp at line 1 and position 15: expected remove or transform after 'action='" } },
  { query: "outlier param=0 x", error: { start: 14, end: 15, message: "unexpected symbol found 0 at line 1 and position 14: expected a positive number (the IQR multiplier, such as 2.5) after 'param='" } },
  { query: "outlier mark=true mark=false x", error: { start: 18, end: 22, message: "unexpected symbol found mark at line 1 and position 18: expected each of action=, param=, uselower= and mark= at most once ('mark' is given twice)" } },
  { query: "outlier mark=true", error: { start: 17, end: 17, message: "unexpected symbol found <EOF> at line 1 and position 17: expected a numeric field to check for outliers, or an option (action=, param=, uselower=, mark=) after 'true'" } },
  { doc: APPENDCOLS, query: "fields svc\n| stats count(*) as cnt by svc\n| appendcols override=true ( SOURCE lg | stats avg(latency) as avgLat by svc )", formatted: "fields svc | stats count(*) as cnt by svc | appendcols override=true (SOURCE \"lg\" | stats avg(latency) as avgLat by svc)" },
  { query: "appendcols MAX=5 (fields a)", formatted: "appendcols max=5 (fields a)" },
  { query: "appendcols max=100001 (fields a)", error: { start: 15, end: 21, message: "unexpected symbol found 100001 at line 1 and position 15: expected a whole number of rows from 1 to 100000 after 'max='" } },
  { query: "appendcols override=yes (fields a)", error: { start: 20, end: 23, message: "unexpected symbol found yes at line 1 and position 20: expected true or false after 'override='" } },
  { query: "appendcols fields a", error: { start: 11, end: 17, message: "unexpected symbol found fields at line 1 and position 11: expected '(' and the query whose fields to append, such as (SOURCE 'lg' | stats avg(latency) by svc) after 'appendcols'" } },
  { query: "appendcols (fields a | appendcols (fields b))", error: { start: 34, end: 35, message: "unexpected symbol found ( at line 1 and position 34: expected no subquery or join inside a nested query (AWS: nested subqueries are not supported)" } },
  { query: "SOURCE \"group-name\" START=1700000000000 END=1700000100999 | fields @message", formatted: "SOURCE \"group-name\" START=1700000000000 END=1700000100999 | fields @message" },
  { query: "SOURCE 'a' SOURCE \"b\" | fields @message", formatted: "SOURCE \"a\" \"b\" | fields @message" },
  { query: "SOURCE logGroups(namePrefix: ['a', 'b'], class: 'STANDARD') START=-3600s END=0s | stats count(*) by bin(5m)", formatted: "SOURCE logGroups(namePrefix: ['a', 'b'], class: 'STANDARD') START=-1h END=0s | stats count(*) by bin(5m)" },
  { query: "SOURCE logGroups(namePrefix: []) START=2026-01-23T00:00:00.000Z END=2026-01-23T23:59:59.000Z |\nfields @timestamp", formatted: "SOURCE logGroups() START=1769126400000 END=1769212799000 | fields @timestamp" },
  { doc: PARSE, query: "parse @message logfmt as lf\n| filter lf.level = \"error\"\n| display lf.msg", formatted: 'parse @message logfmt as lf | filter lf.level = "error" | display lf.msg' },
  { doc: PARSE, query: "parse @message logfmt as lf\n| stats count(*) by lf.host", formatted: 'parse @message logfmt as lf | stats count(*) by lf.host' },
  { doc: PARSE, query: "parse @message csv as timestamp, level, message\n| filter level = \"ERROR\"\n| display timestamp, message", formatted: 'parse @message csv as timestamp, level, message | filter level = "ERROR" | display timestamp, message' },
  { doc: PARSE, query: "parse @message csv as host, method, path, status, duration\n| stats avg(duration) by method", formatted: 'parse @message csv as host, method, path, status, duration | stats avg(duration) by method' },
  { doc: PARSE, query: "parse @message /(\\d+\\.\\d+\\.\\d+\\.\\d+)/ as ip_addr multi\n| stats count(*) by ip_addr", formatted: 'parse @message /(\\d+\\.\\d+\\.\\d+\\.\\d+)/ as ip_addr multi | stats count(*) by ip_addr' },
  { doc: PARSE, query: "parse @message /(?<payload>\\{.*\\})/ as payload\n| json field=payload \"user.name\" as username\n| display username", formatted: 'parse @message /(?<payload>\\{.*\\})/ as payload | json field=payload "user.name" as username | display username' },
  { doc: PARSE, query: "json field=requestContext \"identity.sourceIp\" as caller_ip\n| stats count(*) by caller_ip", formatted: 'json field=requestContext "identity.sourceIp" as caller_ip | stats count(*) by caller_ip' },
  { query: "parse \"[*] *\" as level, msg | display msg", formatted: "parse @message \"[*] *\" as level, msg | display msg" },
  { query: "filter a = -2 ^ 2 and not b in [1, 2.5e3] or c not like \"x\" | fields -x * (y + 1) % 3 as z, 5min", formatted: "filter a = -2 ^ 2 and not b in [1, 2.5e3] or c not like \"x\" | fields -x * (y + 1) % 3 as z, 5min" },
  { query: "fields `my field`, `by`, `@odd name.x` as `as`", formatted: "fields `my field`, `by`, `@odd name.x` as `as`" },
  { query: "filter msg like \"a \\\"quoted\\\" \\\\ word \\d+\" | fields 'single \\' quote'", formatted: "filter msg like \"a \\\"quoted\\\" \\\\ word \\\\d+\" | fields 'single \\' quote'" },
  // join and subqueries (CWL_QuerySyntax-Join.html, CWL_QuerySyntax-Subqueries.html; the examples as the
  // search tool's copy of the pages gives them, which cuts the join page after its second example).
  { doc: 'CWL_QuerySyntax-Join.html (join)', query: "filter status >= 500\n| join type=inner left=api right=lambda \n    where api.requestId=lambda.requestId \n    (SOURCE '/aws/lambda/my-function')\n| fields api.requestId, api.status, api.latency, lambda.duration, lambda.memoryUsed\n| sort api.latency desc", formatted: 'filter status >= 500 | join type=inner left=api right=lambda where api.requestId=lambda.requestId (SOURCE "/aws/lambda/my-function") | fields api.requestId, api.status, api.latency, lambda.duration, lambda.memoryUsed | sort api.latency desc' },
  { doc: 'CWL_QuerySyntax-Subqueries.html (subqueries)', query: "filter requestId in (\n    SOURCE '/aws/lambda/database-service'\n    | filter errorType = \"DatabaseConnectionTimeout\"\n    | fields requestId\n)\n| fields @timestamp, requestId, endpoint, userId, responseTime\n| sort @timestamp desc", formatted: 'filter requestId in (SOURCE "/aws/lambda/database-service" | filter errorType = "DatabaseConnectionTimeout" | fields requestId) | fields @timestamp, requestId, endpoint, userId, responseTime | sort @timestamp desc' },
  { doc: 'CWL_QuerySyntax-Subqueries.html (subqueries)', query: "filter requestId in (\n    SOURCE '/aws/lambda/payment-processor'\n    | filter status = \"FAILED\"\n    | stats count(*) as failureCount by requestId\n    | filter failureCount > 3\n    | fields requestId\n)\n| fields @timestamp, requestId, customerId, amount, failureReason\n| sort @timestamp asc", formatted: 'filter requestId in (SOURCE "/aws/lambda/payment-processor" | filter status = "FAILED" | stats count(*) as failureCount by requestId | filter failureCount > 3 | fields requestId) | fields @timestamp, requestId, customerId, amount, failureReason | sort @timestamp asc' },
  { query: "join right=b LEFT=a where b.k=a.k and a.x=b.y (fields k, y)", formatted: "join left=a right=b where a.k=b.k and a.x=b.y (fields k, y)" },
  { query: "filter x not in (SOURCE 'g' START=-1h END=now)", formatted: 'filter x not in (SOURCE "g" START=-1h END=0s)' },
  { query: "join left=a where a.k=b.k (SOURCE 'g')", error: { start: 12, end: 17, message: "unexpected symbol found where at line 1 and position 12: expected right=<alias> after 'a' (join needs left= and right= aliases before where)" } },
  { query: "join type=outer left=a right=b where a.k=b.k (SOURCE 'g')", error: { start: 10, end: 15, message: "unexpected symbol found outer at line 1 and position 10: expected inner or left after '='" } },
  { query: "join left=a right=a where a.k=a.k (SOURCE 'g')", error: { start: 18, end: 19, message: "unexpected symbol found a at line 1 and position 18: expected a right alias other than the left one ('a')" } },
  { query: "join left=a right=b where a.k=c.k (SOURCE 'g')", error: { start: 30, end: 33, message: "unexpected symbol found c.k at line 1 and position 30: expected a field qualified by a or b, such as a.requestId or b.requestId" } },
  { query: "join left=a right=b where a.k=a.j (SOURCE 'g')", error: { start: 30, end: 33, message: "unexpected symbol found a.j at line 1 and position 30: expected a field of b on the other side of '='" } },
  { query: "join left=a right=b where a.k=b.k", error: { start: 33, end: 33, message: "unexpected symbol found <EOF> at line 1 and position 33: expected '(' and the query to join with, such as (SOURCE '/aws/lambda/my-function') after 'b.k'" } },
  { query: "join left=a right=b where a.k=b.k (SOURCE 'g' | filter k in (fields k))", note: 'AWS: "Nested subqueries are not supported."', error: { start: 60, end: 61, message: "unexpected symbol found ( at line 1 and position 60: expected no subquery or join inside a nested query (AWS: nested subqueries are not supported)" } },
  { query: "filter x in (SOURCE 'g' | fields x", error: { start: 34, end: 34, message: "unexpected symbol found <EOF> at line 1 and position 34: expected '|' or ')' to end the nested query opened at position 12 after 'x'" } },
  // Commands added to AWS's command table later (CWL_QuerySyntax-Accum.html and the pages after it), each
  // page's example as the search tool's copy prints it.
  { doc: 'CWL_QuerySyntax-Accum.html (accum)', query: "fields @timestamp, bytes\n| accum bytes AS totalBytes", formatted: 'fields @timestamp, bytes | accum bytes as totalBytes' },
  { doc: 'CWL_QuerySyntax-Autoregress.html (autoregress)', query: "fields @timestamp, bytes\n| autoregress bytes p=1-4", formatted: 'fields @timestamp, bytes | autoregress bytes p=1-4' },
  { doc: 'CWL_QuerySyntax-Filldown.html (filldown)', query: "fields @timestamp, host, cpu_user, cpu_system\n| filldown host cpu*", formatted: 'fields @timestamp, host, cpu_user, cpu_system | filldown host cpu*' },
  { doc: 'CWL_QuerySyntax-Fillmissing.html (fillmissing)', query: "fields @timestamp, latency\n| stats avg(latency) as avg_latency by bin(1m)\n| fillmissing with 0 for avg_latency", formatted: 'fields @timestamp, latency | stats avg(latency) as avg_latency by bin(1m) | fillmissing with 0 for avg_latency' },
  { doc: 'CWL_QuerySyntax-CountFrequent.html (countFrequent)', query: "fields method, status\n| countFrequent method, status", formatted: 'fields method, status | countFrequent method, status' },
  { doc: 'CWL_QuerySyntax-Sessionize.html (sessionize)', query: "fields @timestamp, userId, deviceId\n| sessionize userId, deviceId maxspan 1h as my_session", formatted: 'fields @timestamp, userId, deviceId | sessionize userId, deviceId maxspan 1h as my_session' },
  { query: "ACCUM bytes | AutoRegress latency AS prev P=3 | FILLDOWN | filldown *_user, `a b` x*y* | FillMissing WITH -1.5 FOR a, 'n/a' For b", formatted: "accum bytes | autoregress latency as prev p=3 | filldown | filldown *_user `a b` x*y* | fillmissing with -1.5 for a, 'n/a' for b" },
  { query: "count_frequent a | COUNTFREQUENT b | sessionize u MAXSPAN 90sec AS s | sessionize u, `v w`", formatted: "count_frequent a | countFrequent b | sessionize u maxspan 90sec as s | sessionize u, `v w`" },
  { query: "autoregress bytes p=0", error: { start: 20, end: 21, message: "unexpected symbol found 0 at line 1 and position 20: expected a lag from 1 to 10000 (p=N or p=N-M) after '='" } },
  { query: "autoregress bytes p=4-2", error: { start: 20, end: 23, message: "unexpected symbol found 4-2 at line 1 and position 20: expected a range of lags whose end is not below its start" } },
  { query: "autoregress bytes p=1-101", error: { start: 20, end: 25, message: "unexpected symbol found 1-101 at line 1 and position 20: expected at most 100 lags in one autoregress" } },
  { query: "accum", error: { start: 5, end: 5, message: "unexpected symbol found <EOF> at line 1 and position 5: expected the numeric field to accumulate after 'accum'" } },
  { query: "filldown host (cpu)", error: { start: 14, end: 15, message: "unexpected symbol found ( at line 1 and position 14: expected a field name, a pattern such as cpu*, or '|' after 'host'" } },
  { query: "fillmissing 0 for x", error: { start: 12, end: 13, message: "unexpected symbol found 0 at line 1 and position 12: expected 'with <value> for <field>', '|' or the end of the query after 'fillmissing'" } },
  { query: "fillmissing with x for y", error: { start: 17, end: 18, message: "unexpected symbol found x at line 1 and position 17: expected a number or a string in quotes to fill in after 'with'" } },
  { query: "fillmissing with 0 y", error: { start: 19, end: 20, message: "unexpected symbol found y at line 1 and position 19: expected 'for' and the field to fill after '0'" } },
  { query: "countFrequent", error: { start: 13, end: 13, message: "unexpected symbol found <EOF> at line 1 and position 13: expected a field to count the values of after 'countFrequent'" } },
  { query: "sessionize userId maxspan 30", error: { start: 26, end: 28, message: "unexpected symbol found 30 at line 1 and position 26: expected a duration such as 30m or 1h after 'maxspan' (units: ms, s, m, h, d, w)" } },
  { query: "sessionize userId as s maxspan 1h", error: { start: 23, end: 30, message: "unexpected symbol found maxspan at line 1 and position 23: expected '|' or the end of the query after 's'" } },
];
