-- wrk script: each connection waits 10 ms between requests, so 5 connections offer about 500 requests
-- per second (wrk has no fixed-rate mode; wrk2 is not packaged in Debian).
function delay()
  return 10
end
