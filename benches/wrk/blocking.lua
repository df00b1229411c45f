wrk.method = "POST"
wrk.body   = '{"username":"ada","authParams":{}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
