# The tutorials' struct.unpack('i') client, from ../shared/seeds/000_2b930a8c20297152.txt
# ("解决粘包问题 · struct模块 · client端"): it prints each framed message the server
# sends. It never writes.
#
# As in the tutorial, except (each marked "chat:"):
# - the port may be given as the first argument (the tests use a free port); the default
#   is the tutorial's 9090.
# Left as the tutorial has them, since they run: sk.recv(num) may return part of a long
# message, and the client ends with a struct.error traceback when the server closes.
# Talks with: chat --listen 127.0.0.1:9090 --framing tutorial
import socket
import struct
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 9090  # chat: port from argv

sk = socket.socket()
sk.connect(('127.0.0.1',port))

while True:
    pack_num = sk.recv(4)
    num = struct.unpack('i',pack_num)[0]
    ret = sk.recv(num)
    print(ret.decode('utf-8'))
sk.close()
