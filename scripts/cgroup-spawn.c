/* Issue 20.2: the kernel's own cost of starting `python3 -c pass` inside a cgroup, without quickup.
 * Modes: bare (fork+exec), procs (the child writes itself into ROOT/<new group>/cgroup.procs, then
 * execs: what quickup's usual start does), clone3 (clone3(CLONE_INTO_CGROUP), cgroup v2 only),
 * prejoin (the child joins, then waits on a pipe; timed from the parent's write: quickup's launchers).
 *   cc -O2 -o /tmp/cgroup-spawn scripts/cgroup-spawn.c
 *   unshare -m sh -c 'mkdir -p /tmp/cg2 && mount -t cgroup2 none /tmp/cg2 && mkdir -p /tmp/cg2/bench &&
 *     for m in bare procs clone3 prejoin; do /tmp/cgroup-spawn $m /tmp/cg2/bench 30; done;
 *     /tmp/cgroup-spawn procs /sys/fs/cgroup/pids/quickup 30'
 * Prints the median and the minimum wall time of RUNS starts, 50 ms apart. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/sched.h>

static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
static char *argvp[]={"/usr/bin/python3","-c","pass",NULL};
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){
  const char*mode=argv[1],*root=argv[2];int runs=atoi(argv[3]);double t[1000];
  for(int i=0;i<runs;i++){
    char cg[512];snprintf(cg,sizeof cg,"%s/t%d-%d",root,getpid(),i);
    if(strcmp(mode,"bare"))mkdir(cg,0755);
    double s=now();pid_t pid;
    if(!strcmp(mode,"prejoin")){
      int go[2];if(pipe(go))return 1;
      pid=fork();
      if(pid==0){
        char p[600],c;snprintf(p,sizeof p,"%s/cgroup.procs",cg);int f=open(p,O_WRONLY);if(f<0||write(f,"0",1)!=1)_exit(125);close(f);
        close(go[1]);if(read(go[0],&c,1)!=1)_exit(125);execv(argvp[0],argvp);_exit(127);}
      close(go[0]);usleep(100000);s=now();if(write(go[1],"g",1)!=1)return 1;close(go[1]);
    }else if(!strcmp(mode,"clone3")){
      int fd=open(cg,O_RDONLY|O_DIRECTORY|O_CLOEXEC);
      struct clone_args a;memset(&a,0,sizeof a);a.flags=CLONE_INTO_CGROUP;a.exit_signal=SIGCHLD;a.cgroup=fd;
      pid=syscall(SYS_clone3,&a,sizeof a);
      if(pid==0){execv(argvp[0],argvp);_exit(127);}
      if(pid<0){perror("clone3");return 1;}
      close(fd);
    }else{
      pid=fork();
      if(pid==0){
        if(!strcmp(mode,"procs")){char p[600];snprintf(p,sizeof p,"%s/cgroup.procs",cg);int f=open(p,O_WRONLY);if(f<0||write(f,"0",1)!=1)_exit(125);close(f);}
        execv(argvp[0],argvp);_exit(127);}
    }
    int st;waitpid(pid,&st,0);t[i]=now()-s;
    if(!WIFEXITED(st)||WEXITSTATUS(st)){fprintf(stderr,"child failed %d\n",st);return 1;}
    if(strcmp(mode,"bare"))rmdir(cg);
    usleep(50000);
  }
  qsort(t,runs,sizeof(double),cmp);printf("%s: median %.1f ms (min %.1f)\n",mode,t[runs/2]*1e3,t[0]*1e3);return 0;}
