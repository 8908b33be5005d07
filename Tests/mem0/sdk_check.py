"""Runs the unchanged Mem0 SDK (mem0ai from PyPI) against a real `pika serve` and checks every answer.

Usage: sdk_check.py BASE_URL TENANT_A_KEY TENANT_B_KEY MAJOR   (MAJOR: 2 for mem0ai 2.x, 1 for 1.0.x)
Started by Tests/PikaServiceTests/Mem0SDKTests.swift with the virtualenvs scripts/setup.sh makes.
Prints "mem0 sdk check passed" and exits 0 when every check holds; the first failed check exits 1.
"""
import asyncio
import os
import sys
import time
import uuid

os.environ.setdefault("MEM0_TELEMETRY", "False")
from mem0 import AsyncMemoryClient, MemoryClient  # noqa: E402

HOST, KEY_A, KEY_B, MAJOR = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
V2 = MAJOR >= 2
RUN = uuid.uuid4().hex[:8]


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def raises(call, text, what):
    try:
        call()
    except Exception as error:  # the SDK's own exception types differ between versions
        check(text.lower() in str(error).lower(), f"{what} (raised: {error})")
        return
    check(False, f"{what}: no exception")


def user_filter(user, **more):
    return {"user_id": user, **more}


def add(client, messages, user, **kwargs):
    if V2:
        return client.add(messages, filters=user_filter(user), **kwargs)
    return client.add(messages, user_id=user, **kwargs)


def get_all(client, user, **kwargs):
    if V2:
        return client.get_all(filters=user_filter(user) if isinstance(user, str) else user, **kwargs)
    return client.get_all(user_id=user, **kwargs)


def search(client, query, user, **kwargs):
    if V2:
        return client.search(query, filters=user_filter(user) if isinstance(user, str) else user, **kwargs)
    return client.search(query, user_id=user, **kwargs)


def added(result):
    """The memories a synchronous add reports."""
    return result["results"]


def wait_for_count(client, user, count):
    deadline = time.time() + 120
    while time.time() < deadline:
        page = get_all(client, user)
        if page["count"] >= count:
            return page
        time.sleep(0.2)
    check(False, f"{user} reached {count} memories in time")


def main():
    raises(lambda: MemoryClient(api_key="not-a-key", host=HOST), "invalid API key", "a wrong key is refused with the server's detail")
    a = MemoryClient(api_key=KEY_A, host=HOST)
    b = MemoryClient(api_key=KEY_B, host=HOST)
    check(a.org_id and a.project_id and a.org_id != b.org_id, "ping gives non-empty ids per tenant")

    alice, bob, carol = f"alice-{RUN}", f"bob-{RUN}", f"carol@{RUN}.example"

    # add, synchronously (verbatim and extracted) and as a job
    first = add(a, [{"role": "user", "content": "I have a dog named Bruno."}], alice, infer=False,
                async_mode=False, metadata={"topic": "pets"})
    if V2:
        check(first["status"] == "SUCCEEDED" and first["event_id"], "v3 add: synchronous add succeeded with an event id")
    memories = added(first)
    check(len(memories) == 1 and memories[0]["memory"] == "I have a dog named Bruno." and memories[0]["event"] == "ADD",
          "add: the verbatim memory is reported")
    dog_id = memories[0]["id"]
    inferred = add(a, "My favourite food is pho. I live in Hanoi.", alice, async_mode=False)
    check(len(added(inferred)) >= 1 and all(m["event"] == "ADD" for m in added(inferred)), "add with inference extracts facts")
    queued = add(a, [{"role": "user", "content": "I play the violin every Sunday."}], alice, infer=False,
                 metadata={"topic": "music"}, agent_id="tutor")
    if V2:
        check(queued["status"] == "PENDING" and queued["event_id"], "v3 add: asynchronous add returns a pending event")
    else:
        check(queued["results"][0]["status"] == "PENDING" and queued["results"][0]["event_id"], "v1 add: a pending event")
    total = 2 + len(added(inferred))
    page = wait_for_count(a, alice, total)
    check(page["count"] == total, f"get_all counts {total} memories")

    # pages
    one = get_all(a, alice, page=1, page_size=2)
    two = get_all(a, alice, page=2, page_size=2)
    check(one["count"] == total and len(one["results"]) == 2 and one["next"] and one["previous"] is None, "get_all page 1")
    check(len(two["results"]) == min(2, total - 2) and two["previous"], "get_all page 2")
    ids = [m["id"] for m in one["results"] + two["results"]]
    check(len(set(ids)) == len(ids), "pages do not overlap")

    # search, scores, filters
    found = search(a, "What is my dog called?", alice, top_k=3)["results"]
    check(found and found[0]["id"] == dog_id, "search finds the dog first")
    check(all(0 <= m["score"] <= 1 for m in found), "search scores lie in 0...1")
    check(len(found) <= 3, "top_k is kept")
    if V2:
        pets = a.search("hobbies and animals", filters={"AND": [{"user_id": alice}, {"metadata": {"topic": "pets"}}]})["results"]
        check([m["id"] for m in pets] == [dog_id], "AND with nested metadata filters the search")
        music = a.search("violin", filters={"OR": [{"user_id": alice}], "agent_id": "*"})["results"]
        check(len(music) == 1 and "violin" in music[0]["memory"], "OR and the * wildcard")
        none = a.get_all(filters={"AND": [{"user_id": alice}, {"created_at": {"lt": "2001-01-01"}}]})
        check(none["count"] == 0, "created_at range excludes everything before 2001")
        recent = a.get_all(filters={"AND": [{"user_id": alice}, {"created_at": {"gte": "2001-01-01"}}]})
        check(recent["count"] == total, "created_at range includes everything since 2001")
        bruno = a.get_all(filters={"user_id": alice, "keywords": {"icontains": "BRUNO"}})
        check(bruno["count"] == 1, "icontains on the memory text")
        topics = a.get_all(filters={"user_id": alice, "metadata": {"topic": {"in": ["pets", "music"]}}})
        check(topics["count"] == 2, "in on a metadata field")
        strict = a.search("dog", filters={"user_id": alice}, threshold=0.99)["results"]
        check(all(m["score"] >= 0.99 for m in strict), "threshold cuts scores")
    else:
        pets = a.search("hobbies and animals", user_id=alice, filters={"metadata": {"topic": "pets"}})["results"]
        check([m["id"] for m in pets] == [dog_id], "metadata filter with a top-level user_id")

    # get, update, history
    memory = a.get(dog_id)
    check(memory["memory"] == "I have a dog named Bruno." and memory["user_id"] == alice, "get returns the memory")
    a.update(dog_id, text="I have a dog named Rex.")
    check(a.get(dog_id)["memory"] == "I have a dog named Rex.", "update changes the text")
    history = a.history(dog_id)
    check(isinstance(history, list) and [h["event"] for h in history] == ["ADD", "UPDATE"], "history is a bare list ADD, UPDATE")
    check(history[1]["old_memory"] == "I have a dog named Bruno." and history[1]["new_memory"] == "I have a dog named Rex.",
          "history keeps old and new text")
    raises(lambda: a.get(str(uuid.uuid4())), "not found", "an unknown id is not found, with the server's detail")

    # batch update and delete
    extra = added(add(a, [{"role": "user", "content": "Batch one."}, {"role": "user", "content": "Batch two."}], alice,
                      infer=False, async_mode=False))
    check(len(extra) == 2, "an add of two verbatim messages stores both")
    a.batch_update([{"memory_id": extra[0]["id"], "text": "Batch one, edited."}])
    check(a.get(extra[0]["id"])["memory"] == "Batch one, edited.", "batch_update changes the text")
    raises(lambda: b.batch_delete([{"memory_id": extra[0]["id"]}]), "not found", "B cannot batch-delete A's memory")
    a.batch_delete([{"memory_id": m["id"]} for m in extra])
    raises(lambda: a.get(extra[1]["id"]), "not found", "batch_delete removes them")

    # users
    add(a, "Bob likes tea.", bob, infer=False, async_mode=False)
    add(a, "Carol likes chess.", carol, infer=False, async_mode=False)
    users = {u["name"]: u for u in a.users()["results"]}
    check({alice, bob, carol} <= set(users) and users[alice]["total_memories"] == total and users[alice]["type"] == "user",
          "users lists the tenant's users with counts")

    # tenant isolation: B sees and changes nothing of A's
    raises(lambda: b.get(dog_id), "not found", "B cannot get A's memory")
    raises(lambda: b.history(dog_id), "not found", "B cannot read A's history")
    raises(lambda: b.update(dog_id, text="hacked"), "not found", "B cannot update A's memory")
    raises(lambda: b.delete(dog_id), "not found", "B cannot delete A's memory")
    check(search(b, "dog", alice)["results"] == [], "B's search of A's user finds nothing")
    check(get_all(b, alice)["count"] == 0, "B's list of A's user is empty")
    if V2:
        check(b.get_all(filters={"user_id": "*"})["count"] == 0, "B's tenant-wide list is empty")
    check(not {alice, bob, carol} & {u["name"] for u in b.users()["results"]}, "B's users do not include A's")
    b.delete_all(user_id=alice)
    b.delete_users(user_id=bob)
    check(get_all(a, alice)["count"] == total and get_all(a, bob)["count"] == 1, "B's deletes do not touch A")
    check(a.get(dog_id)["memory"] == "I have a dog named Rex.", "A's memory is intact")

    # delete, delete_all, delete_users
    check("deleted" in a.delete(dog_id)["message"].lower(), "delete answers with a message")
    raises(lambda: a.get(dog_id), "not found", "a deleted memory is gone")
    check(get_all(a, alice)["count"] == total - 1, "get_all counts one fewer")
    if V2:
        a.delete_all(filters={"user_id": alice})  # sent as a Python literal in the query string
    else:
        a.delete_all(user_id=alice)
    check(get_all(a, alice)["count"] == 0, "delete_all empties the user")
    a.delete_all(user_id=bob)
    check(get_all(a, bob)["count"] == 0, "delete_all by top-level user_id")
    check("deleted" in a.delete_users(user_id=carol)["message"].lower(), "delete_users answers with a message")
    check(carol not in {u["name"] for u in a.users()["results"]}, "delete_users removes the user")

    asyncio.run(check_async())
    print("mem0 sdk check passed", flush=True)


async def check_async():
    client = AsyncMemoryClient(api_key=KEY_A, host=HOST)
    dave = f"dave-{RUN}"
    if V2:
        result = await client.add("Dave collects stamps.", filters={"user_id": dave}, infer=False, async_mode=False)
    else:
        result = await client.add("Dave collects stamps.", user_id=dave, infer=False, async_mode=False)
    check(result["results"][0]["memory"] == "Dave collects stamps.", "async add")
    if V2:
        found = (await client.search("stamps", filters={"user_id": dave}))["results"]
        listed = await client.get_all(filters={"user_id": dave})
    else:
        found = (await client.search("stamps", user_id=dave))["results"]
        listed = await client.get_all(user_id=dave)
    check(found and found[0]["memory"] == "Dave collects stamps.", "async search")
    check(listed["count"] == 1, "async get_all")
    await client.delete_users(user_id=dave)
    check(dave not in {u["name"] for u in (await client.users())["results"]}, "async delete_users")
    await client.async_client.aclose()


if __name__ == "__main__":
    main()
