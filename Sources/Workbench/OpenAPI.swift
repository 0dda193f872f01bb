/// The API under the pages, as an OpenAPI 3.0 document (served at `/openapi.json`). Field names
/// are the result types' own in snake case: the same as the CLI's `--json`. Every operation
/// needs a session (log in at `/login`); POSTs carry the session's token in `X-CSRF-Token`.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.0.3",
      "info": {"title": "forensic workbench API", "version": "1.0.0",
               "description": "Read-only searches over incident files and archive indexes. Log in with POST /login (form), then send the session cookie; POSTs need X-CSRF-Token."},
      "paths": {
        "/api/cases": {"get": {"operationId": "cases", "summary": "The incidents and archive indexes served",
          "responses": {"200": {"description": "cases", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}}}}},
                        "401": {"description": "no session"}}}},
        "/api/plates": {"get": {"operationId": "plates", "summary": "Plate search: exact, wildcard (? *), near misses; '*' lists every plate",
          "parameters": [
            {"name": "case", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            {"name": "plate", "in": "query", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 32, "pattern": "^[A-Za-z0-9?* .-]*[A-Za-z0-9*][A-Za-z0-9?* .-]*$"}},
            {"name": "camera", "in": "query", "schema": {"type": "string"}},
            {"name": "site", "in": "query", "schema": {"type": "string"}},
            {"name": "zone", "in": "query", "schema": {"type": "string"}},
            {"name": "from", "in": "query", "schema": {"type": "string"}, "description": "2026-11-20T14:01 (the case's zone) or with an offset"},
            {"name": "to", "in": "query", "schema": {"type": "string"}},
            {"name": "exact", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647}}],
          "responses": {"200": {"description": "a page of sightings and the total", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlateMatches"}}}},
                        "400": {"description": "a bad pattern, an unknown camera, site or zone, a reversed window"},
                        "401": {"description": "no session"}, "403": {"description": "past the role's time limit"}, "404": {"description": "no such case"}}}},
        "/api/subject": {"get": {"operationId": "subject", "summary": "A sighting or face track with every read",
          "parameters": [
            {"name": "case", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["plate", "face"]}},
            {"name": "id", "in": "query", "required": true, "schema": {"type": "integer"}},
            {"name": "day", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "the sighting or track", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Subject"}}}},
                        "400": {"description": "bad parameters"}, "401": {"description": "no session"}, "404": {"description": "no such sighting or track"}}}},
        "/api/faces": {"post": {"operationId": "faces", "summary": "Face search by photo (the request body is the photo)",
          "parameters": [{"name": "case", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                         {"name": "threshold", "in": "query", "schema": {"type": "number"}},
                         {"name": "X-CSRF-Token", "in": "header", "required": true, "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
          "responses": {"200": {"description": "the probe's face and the nearest tracks", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FaceAnswer"}}}},
                        "400": {"description": "no photo"}, "401": {"description": "no session"}, "403": {"description": "no CSRF token"},
                        "404": {"description": "no such case"}, "413": {"description": "photo too large"}, "422": {"description": "no face, or not a picture"}}}},
        "/api/route": {"get": {"operationId": "route", "summary": "A plate's route: its sightings in time order",
          "parameters": [{"name": "case", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                         {"name": "plate", "in": "query", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 32, "pattern": "^[A-Za-z0-9 .-]*[A-Za-z0-9][A-Za-z0-9 .-]*$"}},
                         {"name": "from", "in": "query", "schema": {"type": "string"}}, {"name": "to", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "stops", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/RouteStop"}}}}},
                        "400": {"description": "bad parameters"}, "401": {"description": "no session"}, "403": {"description": "past the role's time limit"}, "404": {"description": "no such case"}}}},
        "/api/hits": {"get": {"operationId": "hits", "summary": "Watchlist hits, newest first",
          "parameters": [{"name": "case", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                         {"name": "list", "in": "query", "schema": {"type": "string"}}, {"name": "zone", "in": "query", "schema": {"type": "string"}},
                         {"name": "from", "in": "query", "schema": {"type": "string"}}, {"name": "to", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "hits", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/WatchlistHit"}}}}},
                        "400": {"description": "bad parameters"}, "401": {"description": "no session"}, "403": {"description": "past the role's time limit"}, "404": {"description": "no such case"}}}}
      },
      "components": {"schemas": {
        "CameraTime": {"type": "object", "required": ["camera", "camera_name", "site", "zone", "file", "pts"], "properties": {
          "camera": {"type": "string"}, "camera_name": {"type": "string"}, "site": {"type": "string"}, "zone": {"type": "string"},
          "latitude": {"type": "number"}, "longitude": {"type": "number"}, "time_utc": {"type": "string", "format": "date-time"},
          "until_utc": {"type": "string", "format": "date-time"}, "time_local": {"type": "string"}, "file": {"type": "string"},
          "pts": {"type": "number"}, "day": {"type": "string"}}},
        "Case": {"type": "object", "required": ["index", "title", "path", "zone", "archive_index", "cameras"], "properties": {
          "index": {"type": "integer"}, "title": {"type": "string"}, "path": {"type": "string"}, "zone": {"type": "string"},
          "archive_index": {"type": "boolean"}, "cameras": {"type": "array", "items": {"type": "object"}}}},
        "PlateHit": {"type": "object", "required": ["sighting_id", "at", "text", "display", "matched", "match", "distance", "confidence", "reads"], "properties": {
          "sighting_id": {"type": "integer"}, "at": {"$ref": "#/components/schemas/CameraTime"}, "text": {"type": "string"},
          "display": {"type": "string"}, "matched": {"type": "string"}, "match": {"type": "string", "enum": ["exact", "wildcard", "fuzzy", "any"]},
          "distance": {"type": "number"}, "confidence": {"type": "number"}, "reads": {"type": "integer"}, "watchlist": {"type": "string"}}},
        "PlateMatches": {"type": "object", "required": ["hits", "total", "total_is_lower_bound"], "properties": {
          "hits": {"type": "array", "items": {"$ref": "#/components/schemas/PlateHit"}}, "total": {"type": "integer"},
          "total_is_lower_bound": {"type": "boolean"}}},
        "Subject": {"type": "object", "required": ["kind", "id", "label", "at", "first_pts", "last_pts", "watchlist", "reads", "source"], "properties": {
          "kind": {"type": "string"}, "id": {"type": "integer"}, "label": {"type": "string"}, "at": {"$ref": "#/components/schemas/CameraTime"},
          "first_pts": {"type": "number"}, "last_pts": {"type": "number"}, "watchlist": {"type": "array", "items": {"type": "string"}},
          "reads": {"type": "array", "items": {"type": "object"}}, "source": {"type": "string"}}},
        "FaceHit": {"type": "object", "required": ["face_track_id", "at", "distance", "confidence", "quality", "junk"], "properties": {
          "face_track_id": {"type": "integer"}, "at": {"$ref": "#/components/schemas/CameraTime"}, "distance": {"type": "number"},
          "confidence": {"type": "number"}, "quality": {"type": "number"}, "junk": {"type": "boolean"}, "watchlist": {"type": "string"}}},
        "FaceAnswer": {"type": "object", "required": ["probe", "hits"], "properties": {
          "probe": {"type": "object"}, "hits": {"type": "array", "items": {"$ref": "#/components/schemas/FaceHit"}}}},
        "RouteStop": {"type": "object", "required": ["id", "label", "at"], "properties": {
          "id": {"type": "integer"}, "label": {"type": "string"}, "at": {"$ref": "#/components/schemas/CameraTime"},
          "since_previous": {"type": "number"}, "km_from_previous": {"type": "number"}, "watchlist": {"type": "string"}}},
        "WatchlistHit": {"type": "object", "required": ["id", "list", "entry", "name", "kind", "match", "matched", "distance", "at", "watchlist"], "properties": {
          "id": {"type": "integer"}, "list": {"type": "string"}, "entry": {"type": "string"}, "name": {"type": "string"},
          "kind": {"type": "string", "enum": ["plate", "face"]}, "match": {"type": "string"}, "matched": {"type": "string"},
          "distance": {"type": "number"}, "quality": {"type": "number"}, "sighting_id": {"type": "integer"}, "face_track_id": {"type": "integer"},
          "at": {"$ref": "#/components/schemas/CameraTime"}, "seen": {"type": "string"}, "watchlist": {"type": "string"}, "still": {"type": "string"}}}
      }}
    }
    """#
}
