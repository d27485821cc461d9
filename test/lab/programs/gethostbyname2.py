# libc's gethostbyname2 (AF_INET, AF_INET6) and gethostbyname2_r (AF_INET) of NAME, through ctypes.
# Prints JSON {"v4", "v6": [h_name, h_addrtype, h_length, addresses] or null, "v4_r": [return value, the same]}.
# argv: NAME
import ctypes, json, socket, sys
class HostEnt(ctypes.Structure):
    _fields_ = [("h_name", ctypes.c_char_p), ("h_aliases", ctypes.POINTER(ctypes.c_char_p)),
                ("h_addrtype", ctypes.c_int), ("h_length", ctypes.c_int),
                ("h_addr_list", ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)))]
libc = ctypes.CDLL(None)
libc.gethostbyname2.restype = ctypes.POINTER(HostEnt)
def show(h):
    if not h: return None
    h = h.contents
    addrs, i = [], 0
    while h.h_addr_list[i]:
        raw = bytes(h.h_addr_list[i][:h.h_length]); i += 1
        addrs.append(socket.inet_ntop(h.h_addrtype, raw))
    return [h.h_name.decode(), h.h_addrtype, h.h_length, addrs]
name = sys.argv[1].encode()
out = {"v4": show(libc.gethostbyname2(name, socket.AF_INET)), "v6": show(libc.gethostbyname2(name, socket.AF_INET6))}
ret, buf = HostEnt(), ctypes.create_string_buffer(8192)
res, err = ctypes.POINTER(HostEnt)(), ctypes.c_int(0)
rc = libc.gethostbyname2_r(name, socket.AF_INET, ctypes.byref(ret), buf, 8192, ctypes.byref(res), ctypes.byref(err))
out["v4_r"] = [rc, show(res)]
print(json.dumps(out))
