"""Local handlers of the server's tests (named by asl.toml)."""


def greet(event, context):
    return {"greeting": f"Hello, {event.get('name', 'world')}"}


def reply(event, context):
    return {"from": "local handler", "got": event}
