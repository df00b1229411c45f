wrk.method = "POST"
wrk.body   = '{"user":{"id":1},"message":{"id":1,"body":"hi"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
