-- wrk script: each connection waits 10 ms between requests, so 2 connections offer about 200 requests
-- per second (wrk has no fixed-rate mode; wrk2 is not packaged in Debian).
function delay()
  return 10
end
