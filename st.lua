local n = 0
response = function(status, headers, body)
  if status ~= 200 and n < 2 then n = n + 1; io.write(status .. " " .. string.sub(body, 1, 300) .. "\n") end
end
